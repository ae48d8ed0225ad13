package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.catalina.util.StandardSessionIdGenerator;
import org.junit.jupiter.api.Test;

class SessionIdsTest {
  private static StandardSessionIdGenerator generator(int bytes, String route) {
    StandardSessionIdGenerator g = new StandardSessionIdGenerator();
    g.setSessionIdLength(bytes);
    g.setJvmRoute(route);
    return g;
  }

  @Test
  void everyIdTheGeneratorMakes_isAccepted_atTheDefaultAndAnotherLength() {
    for (int bytes : List.of(16, 8, 33)) {
      for (String route : new String[] {"n1", "node-with.dots_and-dashes", null}) {
        StandardSessionIdGenerator g = generator(bytes, route);
        SessionIds.Shape shape = SessionIds.Shape.of(g, true);
        for (int i = 0; i < 2_000; i++) {
          String id = g.generateSessionId();
          assertThat(shape.accepts(id)).as(id).isTrue();
          // after a take-over the same base carries another member's route
          assertThat(shape.accepts(SessionIds.withRoute(SessionIds.base(id), "n7"))).isTrue();
        }
      }
    }
  }

  @Test
  void idsTheStandardGeneratorCannotMake_areRejected() {
    SessionIds.Shape shape = SessionIds.Shape.of(generator(16, "n1"), true);
    String hex32 = "0123456789ABCDEF0123456789ABCDEF";
    for (String bad :
        List.of(
            "",
            hex32.substring(1) + ".n1",
            hex32 + "0.n1",
            hex32.toLowerCase(java.util.Locale.ROOT),
            hex32.substring(2) + "ZZ.n1",
            hex32 + ".",
            hex32 + ".n1;x",
            hex32 + ".n 1",
            hex32 + ".n\u00e4",
            hex32 + "." + "r".repeat(SessionIds.MAX_ROUTE + 1),
            "'; drop table sessions; --",
            "../../x",
            "..%2F..%2Fx",
            "A".repeat(10 * 1024),
            "\u00c4\u00d6" + hex32.substring(2),
            hex32.substring(1) + "\u0000")) {
      assertThat(shape.accepts(bad)).as(bad).isFalse();
    }
    assertThat(shape.accepts(null)).isFalse();
  }

  @Test
  void anotherGenerator_isCheckedOnlyForWhatACookieAndTheStoreCanCarry() {
    SessionIds.Shape withStore = SessionIds.Shape.of(new StandardSessionIdGenerator() {}, true);
    SessionIds.Shape withoutStore = SessionIds.Shape.of(null, false);

    assertThat(withStore.accepts("abc-DEF_123.n1")).isTrue();
    assertThat(withStore.accepts("a+b/c=")).isFalse(); // a store cannot hold it
    assertThat(withoutStore.accepts("a+b/c=.n1")).isTrue(); // base64 ids are fine without one
    for (SessionIds.Shape s : List.of(withStore, withoutStore)) {
      assertThat(s.accepts("x".repeat(SessionIds.MAX_BASE + 1))).isFalse();
      assertThat(s.accepts("a;b")).isFalse();
      assertThat(s.accepts("a b")).isFalse();
      assertThat(s.accepts("\u00e4bc")).isFalse();
      assertThat(s.accepts(".n1")).isFalse();
    }
  }
}
