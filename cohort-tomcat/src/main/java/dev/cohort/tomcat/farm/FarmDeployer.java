package dev.cohort.tomcat.farm;

import dev.cohort.core.channel.BulkSender;
import dev.cohort.core.channel.ChannelException;
import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.MembershipEvent;
import dev.cohort.core.channel.Replies;
import dev.cohort.tomcat.farm.FarmMessage.Activate;
import dev.cohort.tomcat.farm.FarmMessage.Catalogue;
import dev.cohort.tomcat.farm.FarmMessage.GetCatalogue;
import dev.cohort.tomcat.farm.FarmMessage.GetReport;
import dev.cohort.tomcat.farm.FarmMessage.Has;
import dev.cohort.tomcat.farm.FarmMessage.Pull;
import dev.cohort.tomcat.farm.FarmMessage.Remove;
import dev.cohort.tomcat.farm.FarmMessage.Report;
import dev.cohort.tomcat.farm.FarmMessage.Result;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;

/**
 * Cluster-wide deployment of WARs (Tomcat's FarmWarDeployer, with versions, verified transfers and
 * rollback). A WAR dropped into one node's watch directory, or uploaded to its {@code
 * /cohort/farm/NAME}, gets a new {@link AppVersion}, is streamed in chunks over the farm's own
 * {@link ClusterChannel} to every member, verified there (length, SHA-256, ZIP), renamed atomically
 * into place and deployed — one node after the other, the publishing node first, so that the
 * replicated sessions of a distributable application always have a running holder (a rolling
 * redeploy). A node on which the new version does not start runs the previous one again and reports
 * which node failed and why; a rollout stops at the publishing node when the version does not start
 * there. Removal undeploys everywhere and leaves a tombstone in the catalogue.
 *
 * <p>A node that starts asks a member for the catalogue, fetches and deploys what it lacks, and is
 * {@link #isReady() ready} only then (its {@code /cohort/health} answers 503 until then).
 *
 * <p>Threads: one farm thread does the start-up sync and scans the watch directory; rollouts run on
 * the caller's thread (the scan, or the HTTP upload), one at a time; channel threads answer
 * members' requests; a small pool streams WARs that joiners pull. Local changes (deploy, undeploy,
 * catalogue) are serialized by one lock that is never held while waiting for another member.
 */
public final class FarmDeployer implements AutoCloseable {
  static final String TOPIC = "cohort-farm/war";
  private static final Log log = LogFactory.getLog(FarmDeployer.class);

  private final FarmConfig config;
  private final ClusterChannel channel;
  private final Deployer deployer;
  private final WarStore store;
  private final WatchDir watch;
  private final Map<String, FarmApp> catalogue = new ConcurrentHashMap<>();
  private final Map<String, NodeApp> local = new ConcurrentHashMap<>();
  private final Map<String, String> runningSha = new ConcurrentHashMap<>();
  private final WarReceiver receiver;
  private final ReentrantLock applyLock = new ReentrantLock();
  private final ReentrantLock publishLock = new ReentrantLock();
  private final AtomicLong lamport = new AtomicLong();
  private final ScheduledExecutorService farmThread;
  private final ExecutorService streams;
  private volatile boolean connected;
  private volatile boolean ready;
  private volatile boolean closed;

  FarmDeployer(FarmConfig config, ClusterChannel channel, Deployer deployer) {
    this.config = config;
    this.channel = channel;
    this.deployer = deployer;
    this.store = new WarStore(config.dir(), config.maxWarBytes());
    this.watch = new WatchDir(this, store);
    this.receiver = new WarReceiver(store);
    this.farmThread = Executors.newSingleThreadScheduledExecutor(daemon("cohort-farm"));
    this.streams = Executors.newFixedThreadPool(2, daemon("cohort-farm-stream"));
  }

  /**
   * A farm that deploys into Tomcat's {@code host}.
   *
   * @param channel the farm's own channel, not connected yet (see {@link FarmChannels})
   * @param apps the session channel ports of distributable farmed applications
   */
  public static FarmDeployer forHost(
      FarmConfig config, ClusterChannel channel, org.apache.catalina.Host host, AppChannels apps) {
    return new FarmDeployer(config, channel, new HostDeployer(host, config.node(), apps));
  }

  /**
   * Opens the directory and reads the catalogue a previous run left; then {@link #join()}.
   *
   * @throws IOException when the farm directory cannot be used
   */
  public void open() throws IOException {
    store.open();
    for (FarmApp a : store.loadCatalogue()) {
      catalogue.put(a.name(), a);
      observe(a.version());
    }
    channel.setRequestHandler((from, payload) -> FarmCodec.encode(answer(from, payload)));
    channel.setBulkHandler(receiver::onChunk);
    channel.setMessageHandler((from, payload) -> {});
    channel.addMembershipListener(this::onMembership);
  }

  /**
   * In the background: joins the farm channel, fetches and deploys what the catalogue holds,
   * becomes {@link #isReady() ready} and starts watching the directory. Call once the Host has
   * started.
   */
  public void join() {
    farmThread.execute(this::connectAndSync);
  }

  /** True once the node runs every application of the catalogue it could fetch. */
  public boolean isReady() {
    return ready;
  }

  public String node() {
    return config.node();
  }

  // ---- what operators do (HTTP, watch directory) ----

  /**
   * Receives an uploaded WAR, verifies it ({@code length} bytes with SHA-256 {@code sha}) and rolls
   * it out. A rejected WAR changes nothing.
   */
  public Rollout upload(String name, InputStream body, long length, String sha)
      throws IOException, WarRejectedException, InterruptedException {
    FarmApp.checkName(name);
    if (!FarmApp.isSha256(sha)) {
      throw new WarRejectedException(
          "upload rejected [app "
              + name
              + "]: X-Cohort-SHA256 '"
              + sha
              + "' is not 64 lower-case hex digits — send the WAR's SHA-256");
    }
    store.stage(body, name, length, sha);
    return publish(name, sha, length);
  }

  /** Rolls out the stored WAR {@code sha} of {@code name} as a new version. */
  Rollout publish(String name, String sha, long size) throws InterruptedException {
    publishLock.lockInterruptibly();
    try {
      FarmApp cur = catalogue.get(name);
      NodeApp here = local.get(name);
      if (cur != null
          && !cur.removed()
          && cur.sha256().equals(sha)
          && here != null
          && here.state() == NodeApp.State.RUNNING
          && cur.version().equals(here.running())) {
        return new Rollout(cur, Map.of(config.node(), new Result(true, "unchanged")));
      }
      FarmApp app =
          new FarmApp(
              name,
              new AppVersion(lamport.incrementAndGet(), config.node()),
              sha,
              size,
              false,
              cur != null && !cur.removed() ? cur.slot() : freeSlot());
      log.info(
          "farm: rolling out [" + name + "] version " + app.version() + " (" + size + " bytes)");
      Map<String, Result> results = new LinkedHashMap<>();
      Result mine = apply(app);
      results.put(config.node(), mine);
      if (mine.ok()) {
        for (Member m : others()) {
          results.put(m.name(), activateOn(m, app));
        }
      }
      return new Rollout(app, results);
    } finally {
      publishLock.unlock();
    }
  }

  /** Undeploys {@code name} everywhere; null when the catalogue does not hold it. */
  public Rollout remove(String name) throws InterruptedException {
    FarmApp.checkName(name);
    publishLock.lockInterruptibly();
    try {
      FarmApp cur = catalogue.get(name);
      if (cur == null || cur.removed()) {
        return null;
      }
      FarmApp t =
          FarmApp.tombstone(
              name, new AppVersion(lamport.incrementAndGet(), config.node()), cur.slot());
      log.info("farm: removing [" + name + "] everywhere (version " + t.version() + ")");
      Map<String, Result> results = new LinkedHashMap<>();
      results.put(config.node(), removeHere(t));
      for (Member m : others()) {
        results.put(m.name(), askResult(m, new Remove(t), config.deployTimeout()));
      }
      return new Rollout(t, results);
    } finally {
      publishLock.unlock();
    }
  }

  /** The catalogue and, per member, what it runs (members that do not answer are missing). */
  public FarmStatus status() throws InterruptedException {
    Map<String, Report> reports = new LinkedHashMap<>();
    reports.put(config.node(), report());
    Map<Member, CompletableFuture<Replies>> asked = new LinkedHashMap<>();
    for (Member m : others()) {
      asked.put(
          m,
          channel.request(List.of(m), FarmCodec.encode(new GetReport()), config.requestTimeout()));
    }
    List<String> unreachable = new ArrayList<>();
    for (Map.Entry<Member, CompletableFuture<Replies>> e : asked.entrySet()) {
      try {
        byte[] reply =
            e.getValue()
                .get(config.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)
                .replies()
                .get(e.getKey());
        if (reply != null && FarmCodec.decode(reply) instanceof Report r) {
          reports.put(e.getKey().name(), r);
        } else {
          unreachable.add(e.getKey().name());
        }
      } catch (ExecutionException | TimeoutException | RuntimeException ex) {
        unreachable.add(e.getKey().name());
      }
    }
    List<FarmApp> apps = new ArrayList<>(catalogue.values());
    apps.sort(Comparator.comparing(FarmApp::name));
    return new FarmStatus(config.node(), ready, apps, reports, unreachable);
  }

  // ---- start-up ----

  private void connectAndSync() {
    try {
      channel.connect();
      connected = true;
      sync();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (RuntimeException e) {
      // top boundary of the start-up: the node serves what it has
      log.error(
          "farm: start-up sync failed [node "
              + config.node()
              + "]: "
              + e
              + " — the node serves the applications it has; check the farm channel settings",
          e);
    }
    ready = true;
    log.info(
        "farm: ready [node " + config.node() + ", " + catalogue.size() + " catalogue entries]");
    farmThread.scheduleWithFixedDelay(
        watch::scanSafely, 0, config.scanInterval().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Merges a member's catalogue, then brings every entry to this node. */
  private void sync() throws InterruptedException {
    List<Member> peers = others();
    Member peer = peers.isEmpty() ? null : peers.get(0);
    if (peer != null) {
      FarmMessage reply = ask(peer, new GetCatalogue(), config.requestTimeout());
      if (reply instanceof Catalogue c) {
        for (FarmApp a : c.apps()) {
          observe(a.version());
          catalogue.merge(
              a.name(),
              a,
              (mine, theirs) -> theirs.version().isNewerThan(mine.version()) ? theirs : mine);
        }
      }
    }
    List<FarmApp> all = new ArrayList<>(catalogue.values());
    all.sort(Comparator.comparing(FarmApp::name));
    for (FarmApp a : all) {
      if (closed) {
        return;
      }
      if (a.removed()) {
        removeHere(a);
        continue;
      }
      if (!store.has(a.name(), a.sha256()) && peer != null) {
        fetch(peer, a);
      }
      Result r = apply(a);
      if (!r.ok()) {
        log.warn("farm: [" + a.name() + "] " + a.version() + " does not run here: " + r.detail());
      }
    }
  }

  /** Asks {@code peer} to stream {@code app} here and waits until it is stored (or failed). */
  private void fetch(Member peer, FarmApp app) throws InterruptedException {
    CompletableFuture<Path> done = receiver.expect(app.sha256());
    try {
      Result r = askResult(peer, new Pull(app), config.requestTimeout());
      if (!r.ok()) {
        receiver.failed(app.name(), "fetching from " + peer + " failed: " + r.detail());
        return;
      }
      done.get(config.deployTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      receiver.failed(app.name(), e.getCause().getMessage());
    } catch (TimeoutException e) {
      receiver.failed(
          app.name(),
          "fetching from "
              + peer
              + " took longer than "
              + config.deployTimeout().toSeconds()
              + " s");
    } finally {
      receiver.forget(app.sha256(), done);
    }
  }

  // ---- local changes ----

  /** Runs {@code app} on this node unless a newer version is known. */
  private Result apply(FarmApp app) throws InterruptedException {
    applyLock.lockInterruptibly();
    try {
      observe(app.version());
      FarmApp cur = catalogue.get(app.name());
      if (cur != null && cur.version().isNewerThan(app.version())) {
        return new Result(false, "superseded: version " + cur.version() + " is newer");
      }
      if (cur == null || app.version().isNewerThan(cur.version())) {
        catalogue.put(app.name(), app);
        saveCatalogue();
      }
      NodeApp now = local.get(app.name());
      if (now == null) {
        now = new NodeApp(app.name(), NodeApp.State.PENDING, null, app.version(), null);
      }
      if (now.state() == NodeApp.State.RUNNING && app.version().equals(now.running())) {
        return new Result(true, "already running");
      }
      if (!store.has(app.name(), app.sha256())) {
        String why = receiver.error(app.name());
        why = why == null ? "the WAR did not arrive" : why;
        local.put(app.name(), now.failed(app.version(), why));
        return new Result(false, "not deployed on " + config.node() + ": " + why);
      }
      Path war = store.war(app.name(), app.sha256());
      watch.mirror(app.name(), war);
      local.put(app.name(), now.pending(app.version()));
      try {
        deployer.deploy(app.name(), app.slot(), war);
      } catch (Deployer.DeployException e) {
        log.error("farm: " + e.getMessage());
        local.put(app.name(), now.failed(app.version(), e.getMessage()));
        return new Result(false, e.getMessage());
      }
      local.put(app.name(), NodeApp.running(app.name(), app.version()));
      runningSha.put(app.name(), app.sha256());
      receiver.clearError(app.name());
      prune(app.name(), Set.of(app.sha256()));
      log.info("farm: [" + app.name() + "] version " + app.version() + " runs on " + config.node());
      return new Result(true, "running");
    } finally {
      applyLock.unlock();
    }
  }

  private Result removeHere(FarmApp tombstone) throws InterruptedException {
    applyLock.lockInterruptibly();
    try {
      observe(tombstone.version());
      FarmApp cur = catalogue.get(tombstone.name());
      if (cur != null && cur.version().isNewerThan(tombstone.version())) {
        return new Result(false, "superseded: version " + cur.version() + " is newer");
      }
      catalogue.put(tombstone.name(), tombstone);
      saveCatalogue();
      watch.forget(tombstone.name());
      NodeApp now = local.get(tombstone.name());
      if (now != null && now.running() != null) {
        deployer.undeploy(tombstone.name());
        log.info("farm: [" + tombstone.name() + "] undeployed from " + config.node());
      }
      local.put(
          tombstone.name(),
          new NodeApp(tombstone.name(), NodeApp.State.REMOVED, null, tombstone.version(), null));
      runningSha.remove(tombstone.name());
      prune(tombstone.name(), Set.of());
      return new Result(true, "removed");
    } finally {
      applyLock.unlock();
    }
  }

  private void prune(String name, Set<String> keep) {
    try {
      store.prune(name, keep);
    } catch (IOException e) {
      log.warn(
          "farm: deleting old versions of [" + name + "] failed: " + e + " — delete them by hand");
    }
  }

  private void saveCatalogue() {
    try {
      store.saveCatalogue(catalogue.values());
    } catch (IOException e) {
      log.error(
          "farm: writing the catalogue failed [node "
              + config.node()
              + "]: "
              + e
              + " — this node asks a member for it after a restart");
    }
  }

  private Report report() {
    List<NodeApp> apps = new ArrayList<>(local.values());
    apps.sort(Comparator.comparing(NodeApp::name));
    return new Report(config.node(), ready, apps);
  }

  // ---- talking to members ----

  private Result activateOn(Member m, FarmApp app) throws InterruptedException {
    try {
      FarmMessage has = ask(m, new Has(app.name(), app.sha256()), config.requestTimeout());
      if (!(has instanceof Result r && r.ok())) {
        push(m, app);
      }
      return askResult(m, new Activate(app), config.deployTimeout());
    } catch (ChannelException | IOException e) {
      return new Result(false, "transfer to " + m + " failed: " + e.getMessage());
    }
  }

  /** Streams the stored WAR of {@code app} to {@code m}: a header chunk, then the file. */
  private void push(Member m, FarmApp app) throws IOException, InterruptedException {
    try (BulkSender out = channel.openBulk(m, TOPIC);
        InputStream in = Files.newInputStream(store.war(app.name(), app.sha256()))) {
      out.write(FarmCodec.encodeApp(app));
      byte[] buf = new byte[config.chunkBytes()];
      int n;
      while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
        out.write(n == buf.length ? buf.clone() : java.util.Arrays.copyOf(buf, n));
      }
      out.finish();
    }
  }

  private Result askResult(Member m, FarmMessage msg, Duration timeout)
      throws InterruptedException {
    try {
      FarmMessage reply = ask(m, msg, timeout);
      return reply instanceof Result r ? r : new Result(false, "unexpected reply from " + m);
    } catch (ChannelException e) {
      return new Result(false, e.getMessage());
    }
  }

  private FarmMessage ask(Member m, FarmMessage msg, Duration timeout) throws InterruptedException {
    try {
      Replies r =
          channel
              .request(List.of(m), FarmCodec.encode(msg), timeout)
              .get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
      byte[] reply = r.replies().get(m);
      if (reply == null) {
        throw new ChannelException(m + " left the farm before it answered");
      }
      return FarmCodec.decode(reply);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof ChannelException ce
          ? ce
          : new ChannelException("asking " + m + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new ChannelException(
          m + " did not answer within " + timeout.toSeconds() + " s — is it overloaded?");
    }
  }

  private FarmMessage answer(Member from, byte[] payload) throws InterruptedException {
    FarmMessage m = FarmCodec.decode(payload);
    if (m instanceof Has h) {
      return new Result(store.has(h.name(), h.sha256()), "");
    } else if (m instanceof Activate a) {
      return apply(a.app());
    } else if (m instanceof Remove r) {
      return removeHere(r.tombstone());
    } else if (m instanceof GetCatalogue) {
      return new Catalogue(new ArrayList<>(catalogue.values()));
    } else if (m instanceof Pull p) {
      FarmApp a = p.app();
      if (!store.has(a.name(), a.sha256())) {
        return new Result(false, config.node() + " has no copy of " + a.name() + " " + a.version());
      }
      streams.execute(() -> pushSafely(from, a));
      return new Result(true, "streaming");
    } else if (m instanceof GetReport) {
      return report();
    }
    throw new IllegalArgumentException("farm: unexpected request from " + from);
  }

  private void pushSafely(Member to, FarmApp app) {
    try {
      push(to, app);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      // top boundary of a stream thread: the puller times out and reports it
      log.warn("farm: streaming [" + app.name() + "] to " + to + " failed: " + e);
    }
  }

  private void onMembership(MembershipEvent event) {
    if (event instanceof MembershipEvent.Left left) {
      receiver.memberLeft(left.member());
    }
  }

  private List<Member> others() {
    List<Member> out = new ArrayList<>();
    if (!connected) {
      return out;
    }
    Member self = channel.localMember();
    for (Member m : channel.view().members()) {
      if (!m.equals(self)) {
        out.add(m);
      }
    }
    return out;
  }

  /** The lowest slot no live application uses. */
  private int freeSlot() {
    java.util.BitSet used = new java.util.BitSet();
    for (FarmApp a : catalogue.values()) {
      if (!a.removed()) {
        used.set(a.slot());
      }
    }
    int slot = used.nextClearBit(0);
    if (slot >= FarmApp.MAX_SLOTS) {
      throw new IllegalArgumentException(
          "farm: " + FarmApp.MAX_SLOTS + " applications are farmed already — undeploy one first");
    }
    return slot;
  }

  private void observe(AppVersion v) {
    lamport.accumulateAndGet(v.counter(), Math::max);
  }

  FarmApp entry(String name) {
    return catalogue.get(name);
  }

  /** The version of {@code name} serving requests on this node, or null. */
  AppVersion running(String name) {
    NodeApp n = local.get(name);
    return n == null ? null : n.running();
  }

  FarmConfig config() {
    return config;
  }

  @Override
  public void close() {
    closed = true;
    farmThread.shutdownNow();
    streams.shutdownNow();
    try {
      channel.close();
    } finally {
      receiver.close();
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * The outcome of a rollout or removal: the catalogue entry and each member's answer, in the order
   * they were asked.
   */
  public record Rollout(FarmApp app, Map<String, Result> results) {
    public boolean ok() {
      return results.values().stream().allMatch(Result::ok);
    }
  }
}
