package dev.cohort.tomcat.testapp;

import java.security.Principal;
import java.util.List;
import org.apache.catalina.realm.GenericPrincipal;
import org.apache.catalina.realm.RealmBase;

/**
 * Two users with role user: alice/secret, and bob, whose password ({@link #BOB_PASSWORD}) is unique
 * enough to search for in replicated and stored bytes.
 */
public final class TestRealm extends RealmBase {
  public static final String BOB_PASSWORD = "bob-pw-7c1d-nowhere-else";

  @Override
  protected String getPassword(String username) {
    return switch (username) {
      case "alice" -> "secret";
      case "bob" -> BOB_PASSWORD;
      default -> null;
    };
  }

  @Override
  protected Principal getPrincipal(String username) {
    return getPassword(username) == null ? null : new GenericPrincipal(username, List.of("user"));
  }
}
