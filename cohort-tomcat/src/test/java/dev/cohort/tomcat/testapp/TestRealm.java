package dev.cohort.tomcat.testapp;

import java.security.Principal;
import java.util.List;
import org.apache.catalina.realm.GenericPrincipal;
import org.apache.catalina.realm.RealmBase;

/** One user, alice/secret, role user. */
public final class TestRealm extends RealmBase {
  @Override
  protected String getPassword(String username) {
    return "alice".equals(username) ? "secret" : null;
  }

  @Override
  protected Principal getPrincipal(String username) {
    return "alice".equals(username) ? new GenericPrincipal("alice", List.of("user")) : null;
  }
}
