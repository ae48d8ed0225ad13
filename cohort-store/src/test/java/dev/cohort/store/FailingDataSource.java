package dev.cohort.store;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A data source that can be switched off: while down, getting a connection and every call on a
 * connection already taken fail like a lost database (SQLState 08006), as when the server stops.
 */
final class FailingDataSource {
  private final DataSource target;
  private volatile boolean down;
  final AtomicInteger refused = new AtomicInteger();

  FailingDataSource(DataSource target) {
    this.target = target;
  }

  void goDown() {
    down = true;
  }

  void comeBack() {
    down = false;
  }

  DataSource dataSource() {
    return (DataSource)
        Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] {DataSource.class}, handler(target, true));
  }

  private InvocationHandler handler(Object delegate, boolean isDataSource) {
    return (proxy, method, args) -> {
      String name = method.getName();
      boolean harmless = name.equals("close") || name.equals("isClosed") || name.equals("rollback");
      if (down && !harmless) {
        refused.incrementAndGet();
        throw new SQLTransientConnectionException("database down (simulated)", "08006");
      }
      try {
        Object result = method.invoke(delegate, args);
        if (isDataSource && result instanceof Connection c) {
          return Proxy.newProxyInstance(
              getClass().getClassLoader(), new Class<?>[] {Connection.class}, handler(c, false));
        }
        return result;
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    };
  }
}
