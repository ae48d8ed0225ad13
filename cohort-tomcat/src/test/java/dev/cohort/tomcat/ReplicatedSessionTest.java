package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.serial.AttributeCodec;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.session.SessionUpdate;
import dev.cohort.tomcat.testapp.Unserializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReplicatedSessionTest {
  private final AttributeCodec codec = AttributeCodec.defaults();
  private ReplicatedSession session;

  @BeforeEach
  void create() {
    session = new ReplicatedSession(SessionNotesTest.manager());
    session.setValid(true);
    session.setCreationTime(1000);
    session.setMaxInactiveInterval(60);
    session.setId("abc123.n1", false);
  }

  @Test
  void firstCapture_isCreated_andCarriesSetAttributesWithRouteLessId() {
    session.setAttribute("count", 1);
    SessionUpdate u = session.capture(codec, codec);
    assertThat(u.id()).isEqualTo("abc123");
    assertThat(u.created()).isTrue();
    assertThat(u.touched()).containsOnlyKeys("count");
    assertThat(u.maxInactiveSeconds()).isEqualTo(60);
    assertThat(session.capture(codec, codec).created()).isFalse();
  }

  @Test
  void readingAMutableAttribute_capturesIt_readingAnImmutableOneDoesNot() {
    session.setAttribute("cart", new ArrayList<>(List.of("a")));
    session.setAttribute("name", "x");
    session.capture(codec, codec);

    @SuppressWarnings("unchecked")
    List<String> cart = (List<String>) session.getAttribute("cart");
    cart.add("b"); // in place
    session.getAttribute("name");
    SessionUpdate u = session.capture(codec, codec);

    assertThat(u.touched()).containsOnlyKeys("cart");
    assertThat(codec.deserialize("cart", u.touched().get("cart"), null))
        .isEqualTo(List.of("a", "b"));
    assertThat(session.capture(codec, codec).touched()).isEmpty();
  }

  @Test
  void removal_isCaptured_unlessTheAttributeIsSetAgain() {
    session.setAttribute("a", 1);
    session.setAttribute("b", 2);
    session.capture(codec, codec);
    session.removeAttribute("a");
    session.removeAttribute("b");
    session.setAttribute("b", 3);

    SessionUpdate u = session.capture(codec, codec);

    assertThat(u.removed()).containsExactly("a");
    assertThat(u.touched()).containsOnlyKeys("b");
  }

  @Test
  void nonSerializableValue_isRefusedAtOnce_namingAttributeAndClass() {
    assertThatThrownBy(() -> session.setAttribute("helper", new Unserializable()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'helper'")
        .hasMessageContaining(Unserializable.class.getName());
    assertThat(session.getAttribute("helper")).isNull();
  }

  @Test
  void valueThatStoppedSerializing_isLeftOutOfTheUpdate_othersStillShip() {
    List<Object> list = new ArrayList<>();
    session.setAttribute("list", list);
    session.setAttribute("n", 1);
    list.add(new Unserializable()); // in place, after the check

    SessionUpdate u = session.capture(codec, codec);

    assertThat(u.touched()).containsOnlyKeys("n");
  }

  // Tomcat's sessionAttributeNameFilter / sessionAttributeValueClassNameFilter were accepted (they
  // are ManagerBase's) and ignored: filtered attributes replicated, and a non-serializable value
  // that Tomcat keeps local threw
  @Test
  void nameFilter_keepsOtherAttributesLocal_evenNonSerializableOnes() {
    ReplicatedSession s = distributableSession(m -> m.setSessionAttributeNameFilter("count|cart"));
    s.setAttribute("count", 1);
    s.setAttribute("helper", new Unserializable()); // Tomcat keeps it local: no exception
    s.setAttribute("cache", new ArrayList<>(List.of("x")));

    SessionUpdate u = s.capture(codec, codec);

    assertThat(u.touched()).containsOnlyKeys("count");
    assertThat(s.getAttribute("helper")).isInstanceOf(Unserializable.class);
    s.getAttribute("cache"); // read (mutable): still not captured
    assertThat(s.capture(codec, codec).touched()).isEmpty();
  }

  @Test
  void valueClassFilter_keepsValuesOfOtherClassesLocal() {
    ReplicatedSession s =
        distributableSession(
            m -> m.setSessionAttributeValueClassNameFilter("java\\.lang\\.(?:Integer|String)"));
    s.setAttribute("count", 1);
    s.setAttribute("helper", new Unserializable());
    s.setAttribute("list", new ArrayList<>());

    assertThat(s.capture(codec, codec).touched()).containsOnlyKeys("count");
  }

  @Test
  void attributeThatBecomesLocal_isRemovedFromTheCluster_andReplicatesAgainWhenAllowed() {
    ReplicatedSession s =
        distributableSession(m -> m.setSessionAttributeValueClassNameFilter("java\\.lang\\..*"));
    s.setAttribute("x", 1);
    s.capture(codec, codec);

    s.setAttribute("x", new Unserializable()); // now filtered out: the replicas must not keep 1
    SessionUpdate u = s.capture(codec, codec);
    assertThat(u.touched()).isEmpty();
    assertThat(u.removed()).containsExactly("x");

    s.setAttribute("x", 2);
    u = s.capture(codec, codec);
    assertThat(u.touched()).containsOnlyKeys("x");
    assertThat(u.removed()).isEmpty();
  }

  @Test
  void withoutFilters_aNonSerializableValueIsStillRefused_inADistributableContext() {
    ReplicatedSession s = distributableSession(m -> {});
    assertThatThrownBy(() -> s.setAttribute("helper", new Unserializable()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'helper'");
  }

  @Test
  void restore_dropsAttributesThisNodesFiltersExclude_andRemovesThemWithTheNextChange() {
    ReplicatedSession s = distributableSession(m -> m.setSessionAttributeNameFilter("count"));
    SessionRecord r =
        new SessionRecord(
            "abc123",
            3,
            1000,
            2000,
            60,
            false,
            null,
            null,
            Map.of(),
            Map.of("count", codec.serialize("count", 7), "other", codec.serialize("other", "v")));

    s.restore("abc123.n1", r, codec, codec, getClass().getClassLoader());

    assertThat(s.getAttribute("count")).isEqualTo(7);
    assertThat(s.getAttribute("other")).isNull();
    assertThat(s.capture(codec, codec).removed()).containsExactly("other");
  }

  private static ReplicatedSession distributableSession(
      java.util.function.Consumer<ReplicatedManager> configure) {
    ReplicatedManager m = SessionNotesTest.manager();
    m.getContext().setDistributable(true);
    configure.accept(m);
    ReplicatedSession s = new ReplicatedSession(m);
    s.setValid(true);
    s.setCreationTime(1000);
    s.setMaxInactiveInterval(60);
    s.setId("abc123.n1", false);
    return s;
  }
}
