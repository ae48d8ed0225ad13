package dev.cohort.testkit;

import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;

/**
 * A class loader that sees the test's class path minus some packages: what an application sees when
 * it leaves out an optional dependency. The classes under test ({@code reloaded} packages) are
 * loaded again from their own code sources, so their references to the hidden packages resolve
 * against this view; everything else (the JDK, cohort-core's exceptions) is shared with the test.
 */
public final class WithoutClasses extends URLClassLoader {
  private WithoutClasses(URL[] urls, ClassLoader parent) {
    super(urls, parent);
  }

  /**
   * Hides every class whose name starts with one of {@code hidden} and reloads those starting with
   * one of {@code reloaded} from the code sources of {@code anchors}.
   */
  public static WithoutClasses of(List<String> hidden, List<String> reloaded, Class<?>... anchors) {
    URL[] urls = new URL[anchors.length];
    for (int i = 0; i < anchors.length; i++) {
      urls[i] = anchors[i].getProtectionDomain().getCodeSource().getLocation();
    }
    ClassLoader test = WithoutClasses.class.getClassLoader();
    ClassLoader filter =
        new ClassLoader(test.getParent()) {
          @Override
          protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (hidden.stream().anyMatch(name::startsWith)
                || reloaded.stream().anyMatch(name::startsWith)) {
              throw new ClassNotFoundException(name + " (hidden by WithoutClasses)");
            }
            return test.loadClass(name);
          }

          @Override
          protected URL findResource(String name) {
            String asClass = name.replace('/', '.');
            if (hidden.stream().anyMatch(asClass::startsWith)
                || reloaded.stream().anyMatch(asClass::startsWith)) {
              return null;
            }
            return test.getResource(name);
          }

          @Override
          protected java.util.Enumeration<URL> findResources(String name)
              throws java.io.IOException {
            String asClass = name.replace('/', '.');
            if (hidden.stream().anyMatch(asClass::startsWith)
                || reloaded.stream().anyMatch(asClass::startsWith)) {
              return java.util.Collections.emptyEnumeration();
            }
            return test.getResources(name);
          }
        };
    return new WithoutClasses(urls, filter);
  }

  /**
   * Calls the public static method {@code method} of {@code className} as this loader sees it and
   * returns what it returns; an exception the method throws is rethrown as it is.
   */
  public Object call(String className, String method, Class<?>[] types, Object... args)
      throws Throwable {
    try {
      return Class.forName(className, true, this).getMethod(method, types).invoke(null, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
