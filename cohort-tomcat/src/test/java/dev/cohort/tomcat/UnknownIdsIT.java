package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.engine.SessionEngines;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.store.SessionStore;
import dev.cohort.testkit.InMemoryNetwork;
import dev.cohort.testkit.SentOps;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Session ids from clients that no Cohort node can have issued, on real embedded Tomcats (HTTP on
 * 127.0.0.1) with the real engine (two members on the in-memory network) and a JDBC store (H2
 * behind the store queue, as a node with {@code store=jdbc:...} has): such an id is absent at once
 * — no claim goes out, the store is not asked, the answer is never a 500.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class UnknownIdsIT {
  private final InMemoryNetwork net = new InMemoryNetwork();
  private final SentOps sent = new SentOps();
  private final AtomicInteger storeLoads = new AtomicInteger();
  private final List<EmbeddedNode> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    nodes.forEach(EmbeddedNode::close);
    net.close();
  }

  private EmbeddedNode start(String name) throws IOException {
    Path db = Files.createTempDirectory("cohort-ids-" + name).resolve("sessions");
    EmbeddedNode n =
        EmbeddedNode.startWithConnector(
            name,
            c -> {
              c.setStore("jdbc:h2:file:" + db);
              c.setEngineFactory(
                  (cfg, events) ->
                      StoredEngine.create(
                          cfg.storeSpec(),
                          store ->
                              SessionEngines.create(
                                  cfg.engine(),
                                  sent.wrap(net.newChannel(cfg.nodeName())),
                                  new CountingLoads(store, storeLoads),
                                  events,
                                  Clock.systemUTC())));
            },
            // so that a 10 KB id reaches the manager instead of Tomcat's 400 for large headers
            connector -> connector.setProperty("maxHttpHeaderSize", "65536"));
    nodes.add(n);
    return n;
  }

  @Test
  void malformedIds_areAbsentAtOnce_noClaimNoStoreQuery_neverA500() throws Exception {
    EmbeddedNode n1 = start("n1");
    start("n2");
    String hex32 = "0123456789ABCDEF0123456789ABCDEF";
    List<byte[]> cookies =
        List.of(
            ascii(hex32.substring(1) + ".n2"), // 31 characters
            ascii(hex32 + "0.n2"), // 33
            ascii(hex32.toLowerCase(java.util.Locale.ROOT) + ".n2"), // not Tomcat's hex
            ascii("'; drop table cohort_sessions; --"),
            ascii("../../x"),
            ascii("..%2F..%2Fetc%2Fpasswd.n2"),
            ascii("A".repeat(10 * 1024) + ".n2"), // 10 KB
            (hex32.substring(2) + "ÄÖ.n2").getBytes(StandardCharsets.UTF_8), // non-ASCII
            (hex32 + ".nö").getBytes(StandardCharsets.ISO_8859_1));

    for (byte[] cookie : cookies) {
      String reply = get(n1.port(), "/counter", cookie);
      String what = new String(cookie, 0, Math.min(40, cookie.length), StandardCharsets.ISO_8859_1);

      assertThat(reply).as("reply to %s", what).startsWith("HTTP/1.1 200");
      assertThat(reply).as("reply to %s", what).contains("count=1").contains("Set-Cookie");
    }

    assertThat(sent.claims()).as("claims sent").isEmpty();
    assertThat(storeLoads).as("store loads").hasValue(0);
    assertThat(n1.manager().engine().stats().claimsSent()).isZero();
  }

  // the same path with an id of the right shape that nobody has: one bounded look-up, then a new
  // session (the counters above are not blind)
  @Test
  void wellFormedUnknownId_isLookedUpOnce_thenTheRequestGetsANewSession() throws Exception {
    EmbeddedNode n1 = start("n1");
    start("n2");

    String reply = get(n1.port(), "/counter", ascii("0123456789ABCDEF0123456789ABCDEF.n2"));

    assertThat(reply).startsWith("HTTP/1.1 200").contains("count=1");
    assertThat(sent.claimTargets("0123456789ABCDEF0123456789ABCDEF")).containsExactly("n2");
    assertThat(storeLoads).hasValue(1);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** One GET with {@code Cookie: JSESSIONID=<cookie bytes>}, as sent; the whole raw reply. */
  private static String get(int port, String path, byte[] cookie) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET "
                  + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: JSESSIONID=")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.write(cookie);
      out.write("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      ByteArrayOutputStream reply = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(reply);
      return reply.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /** Counts the store's loads (a take-over that found no copy on any member asks the store). */
  private record CountingLoads(SessionStore store, AtomicInteger loads) implements SessionStore {
    @Override
    public Optional<SessionRecord> load(String id) {
      loads.incrementAndGet();
      return store.load(id);
    }

    @Override
    public void save(SessionRecord record, Set<String> changed, Set<String> removed, boolean full) {
      store.save(record, changed, removed, full);
    }

    @Override
    public void delete(String id) {
      store.delete(id);
    }

    @Override
    public List<String> findExpired(long nowMillis, int limit) {
      return store.findExpired(nowMillis, limit);
    }

    @Override
    public List<String> ids() {
      return store.ids();
    }

    @Override
    public java.util.concurrent.CompletableFuture<Void> whenSaved(String id) {
      return store.whenSaved(id);
    }

    @Override
    public void close() {
      store.close();
    }
  }
}
