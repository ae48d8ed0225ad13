package dev.cohort.tomcat.testapp;

import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts session lifecycle events on one node. */
public final class EventCounter implements HttpSessionListener, HttpSessionIdListener {
  public final AtomicInteger created = new AtomicInteger();
  public final AtomicInteger destroyed = new AtomicInteger();
  public final AtomicInteger idChanged = new AtomicInteger();

  @Override
  public void sessionCreated(HttpSessionEvent se) {
    created.incrementAndGet();
  }

  @Override
  public void sessionDestroyed(HttpSessionEvent se) {
    destroyed.incrementAndGet();
  }

  @Override
  public void sessionIdChanged(HttpSessionEvent event, String oldSessionId) {
    idChanged.incrementAndGet();
  }
}
