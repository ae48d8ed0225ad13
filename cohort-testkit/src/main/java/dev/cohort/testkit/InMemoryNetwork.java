package dev.cohort.testkit;

import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.MembershipEvent;
import dev.cohort.core.channel.View;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A cluster in one JVM: hands out {@link ClusterChannel}s that see each other, and scripts faults
 * on them, so an engine test reads like a story: {@code net.partition(Set.of("n1"), Set.of("n2",
 * "n3")); ... net.heal();}.
 *
 * <h2>Membership</h2>
 *
 * Views are installed by the network itself, atomically (under one lock) on every member of a
 * group, so all members install the same views in the same order; view ids come from one counter
 * and only increase. The coordinator is the member that joined first. A member's listeners are
 * told, in this order: {@code Suspected} for each member a crash or partition removed, then {@code
 * ViewInstalled}, then {@code Left} for each departed member and {@code Joined} for each new one —
 * or, for a view produced by {@link #heal()}, one {@code Merged} instead of the {@code Joined}
 * events. The first view a member installs has as previous view {@code View(-1, [])}, so it reports
 * every member (itself included) as joined.
 *
 * <h2>Delivery</h2>
 *
 * {@link Delivery#ASYNC} (the default) delivers on network threads, one FIFO lane per (sender,
 * receiver) pair plus one lane per receiver for membership events: a handler that blocks delays
 * only later traffic from the same sender, as with JGroups. {@link Delivery#SYNCHRONOUS} delivers
 * on the sending thread before {@code send}/{@code request}/{@code write} return (unless that lane
 * is already being drained, e.g. re-entrantly from a handler, in which case the drainer delivers
 * it), which makes engine unit tests deterministic: a request to a live member is already complete
 * when {@code request} returns. Delayed deliveries ({@link #delay}) always run on a network thread.
 * Replies and bulk acknowledgements are delivered out of band (on the answering thread, not queued
 * behind the answerer's other traffic), as the JGroups channel does. Request timeouts use real
 * time, or a {@link ManualClock} given to the constructor (they then fire when the test advances
 * the clock). Payloads are copied on send.
 *
 * <h2>Faults</h2>
 *
 * {@link #dropNext}, {@link #delay}, {@link #partition}, {@link #heal}, {@link #kill}. A dropped
 * delivery is any one message, request, reply, bulk chunk or bulk acknowledgement to that member.
 *
 * <p>Thread-safe. {@link #close()} closes every channel and stops the network's threads.
 */
public final class InMemoryNetwork implements AutoCloseable {

  /** How deliveries are run; see the class comment. */
  public enum Delivery {
    ASYNC,
    SYNCHRONOUS
  }

  /** Default number of unacknowledged bulk chunks per stream. */
  public static final int DEFAULT_BULK_WINDOW = 8;

  /** Default time a bulk write waits for an acknowledgement before failing the stream. */
  public static final Duration DEFAULT_BULK_TIMEOUT = Duration.ofSeconds(30);

  private static final AtomicInteger NETWORKS = new AtomicInteger();

  private final Delivery delivery;
  private final int bulkWindow;
  private final Duration bulkTimeout;
  private final ExecutorService pool;
  private final ScheduledExecutorService scheduler;
  private final ManualTimeouts timeouts;
  private final AtomicLong incarnations = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong handlerFailures = new AtomicLong();

  private final Object lock = new Object();
  // all guarded by lock
  private final LinkedHashMap<String, InMemoryChannel> alive = new LinkedHashMap<>();
  private final Map<String, Integer> groupOf = new HashMap<>();
  private final Map<String, Integer> dropNext = new HashMap<>();
  private final Map<String, Long> delayNanos = new HashMap<>();
  private long nextViewId = 1;
  private boolean shutDown;

  /** Asynchronous delivery, default bulk window and timeout. */
  public InMemoryNetwork() {
    this(Delivery.ASYNC);
  }

  public InMemoryNetwork(Delivery delivery) {
    this(delivery, DEFAULT_BULK_WINDOW, DEFAULT_BULK_TIMEOUT, null);
  }

  /**
   * Request timeouts follow {@code requestClock} instead of real time: a request times out when a
   * test advances the clock past its deadline (on the advancing thread), never on its own.
   */
  public InMemoryNetwork(Delivery delivery, ManualClock requestClock) {
    this(delivery, DEFAULT_BULK_WINDOW, DEFAULT_BULK_TIMEOUT, requestClock);
  }

  public InMemoryNetwork(Delivery delivery, int bulkWindow, Duration bulkTimeout) {
    this(delivery, bulkWindow, bulkTimeout, null);
  }

  /**
   * @param delivery see the class comment
   * @param bulkWindow unacknowledged chunks per bulk stream, at least 1
   * @param bulkTimeout how long a bulk write waits for an acknowledgement (real time), positive
   * @param requestClock null for request timeouts in real time, else the clock that fires them
   */
  public InMemoryNetwork(
      Delivery delivery, int bulkWindow, Duration bulkTimeout, ManualClock requestClock) {
    this.delivery = Objects.requireNonNull(delivery, "delivery");
    this.timeouts = requestClock == null ? null : new ManualTimeouts(requestClock);
    if (bulkWindow < 1) {
      throw new IllegalArgumentException("bulkWindow: must be at least 1 (got " + bulkWindow + ")");
    }
    if (bulkTimeout == null || bulkTimeout.isNegative() || bulkTimeout.isZero()) {
      throw new IllegalArgumentException("bulkTimeout: must be positive (got " + bulkTimeout + ")");
    }
    this.bulkWindow = bulkWindow;
    this.bulkTimeout = bulkTimeout;
    String prefix = "cohort-inmem-" + NETWORKS.incrementAndGet() + "-";
    this.pool = Executors.newCachedThreadPool(daemon(prefix));
    java.util.concurrent.ScheduledThreadPoolExecutor timer =
        new java.util.concurrent.ScheduledThreadPoolExecutor(1, daemon(prefix + "timer-"));
    timer.setRemoveOnCancelPolicy(true); // cancelled request timeouts leave the queue at once
    this.scheduler = timer;
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * A new, unconnected member named {@code name} (its route name). Register handlers, then {@link
   * ClusterChannel#connect()}.
   */
  public ClusterChannel newChannel(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("name: must not be empty");
    }
    return new InMemoryChannel(this, name);
  }

  // ---- faults

  /** Drops the next {@code n} deliveries of any kind to {@code toMember}. */
  public void dropNext(int n, String toMember) {
    if (n < 0) {
      throw new IllegalArgumentException("n: must not be negative (got " + n + ")");
    }
    synchronized (lock) {
      dropNext.merge(Objects.requireNonNull(toMember, "toMember"), n, Integer::sum);
    }
  }

  /**
   * Delays every later delivery to {@code toMember} by {@code by} (FIFO order is kept); {@link
   * Duration#ZERO} ends the delay.
   */
  public void delay(String toMember, Duration by) {
    Objects.requireNonNull(toMember, "toMember");
    if (by.isNegative()) {
      throw new IllegalArgumentException("by: must not be negative (got " + by + ")");
    }
    synchronized (lock) {
      if (by.isZero()) {
        delayNanos.remove(toMember);
      } else {
        delayNanos.put(toMember, by.toNanos());
      }
    }
  }

  /**
   * Splits the live members into groups that cannot reach each other; each group installs its own
   * view (members of other groups are first {@code Suspected}, then {@code Left}). Live members not
   * named in any group form one group each. While partitioned, a joining member joins the first
   * group.
   */
  @SafeVarargs
  public final void partition(Set<String>... groups) {
    List<Runnable> starts = new ArrayList<>();
    synchronized (lock) {
      Map<String, Integer> next = new HashMap<>();
      for (int i = 0; i < groups.length; i++) {
        for (String name : groups[i]) {
          if (!alive.containsKey(name)) {
            throw new IllegalArgumentException(
                "partition: '" + name + "' is not a live member " + alive.keySet());
          }
          if (next.put(name, i) != null) {
            throw new IllegalArgumentException("partition: '" + name + "' is in two groups");
          }
        }
      }
      int g = groups.length;
      for (String name : alive.keySet()) {
        if (!next.containsKey(name)) {
          next.put(name, g++);
        }
      }
      groupOf.clear();
      groupOf.putAll(next);
      for (int i = 0; i < g; i++) {
        reinstallGroup(i, starts);
      }
    }
    starts.forEach(Runnable::run);
  }

  /**
   * Ends a partition: every live member installs one merged view and is told {@code Merged} with
   * the views of the groups that merged. Does nothing when there is no partition.
   */
  public void heal() {
    List<Runnable> starts = new ArrayList<>();
    synchronized (lock) {
      if (groupOf.isEmpty()) {
        return;
      }
      groupOf.clear();
      List<View> subgroups = new ArrayList<>();
      for (InMemoryChannel c : alive.values()) {
        if (!subgroups.contains(c.view())) {
          subgroups.add(c.view());
        }
      }
      View merged = newView(alive.values());
      for (InMemoryChannel c : alive.values()) {
        View previous = c.view();
        MembershipEvent.ViewInstalled vi = InMemoryChannel.installed(previous, merged);
        List<MembershipEvent> implied = new ArrayList<>();
        for (Member m : vi.left()) {
          implied.add(new MembershipEvent.Left(m, merged));
        }
        if (subgroups.size() > 1) {
          implied.add(new MembershipEvent.Merged(merged, subgroups));
        }
        if (c.install(merged, List.of(), implied)) {
          starts.add(c.eventLaneStarter());
        }
      }
    }
    starts.forEach(Runnable::run);
  }

  /**
   * Crashes {@code member}: it stops at once without a goodbye (its pending requests and bulk
   * streams fail with a {@code ChannelException}); the others suspect it, then install a view
   * without it.
   */
  public void kill(String member) {
    List<Runnable> starts = new ArrayList<>();
    synchronized (lock) {
      InMemoryChannel c = alive.get(member);
      if (c == null) {
        throw new IllegalArgumentException("kill: '" + member + "' is not a live member");
      }
      removeLocked(c, true, starts);
    }
    starts.forEach(Runnable::run);
  }

  /** Deliveries dropped so far by {@link #dropNext}, partitions and departed receivers. */
  public long droppedDeliveries() {
    return dropped.get();
  }

  /** Handler and listener exceptions caught on network threads so far. */
  public long handlerFailures() {
    return handlerFailures.get();
  }

  /** Names of the live members, in join order. */
  public List<String> liveMembers() {
    synchronized (lock) {
      return List.copyOf(alive.keySet());
    }
  }

  /** Closes every channel gracefully and stops the network's threads. */
  @Override
  public void close() {
    List<InMemoryChannel> all;
    synchronized (lock) {
      all = List.copyOf(alive.values());
    }
    for (InMemoryChannel c : all) {
      c.close();
    }
    synchronized (lock) {
      shutDown = true;
    }
    pool.shutdownNow();
    scheduler.shutdownNow();
  }

  // ---- called by channels

  void join(InMemoryChannel c) {
    List<Runnable> starts = new ArrayList<>();
    synchronized (lock) {
      if (shutDown) {
        throw new IllegalStateException(
            "connect failed [" + c.name() + "]: the network is closed — use a new InMemoryNetwork");
      }
      if (alive.containsKey(c.name())) {
        throw new IllegalArgumentException(
            "name: '" + c.name() + "' is already a live member — member names must be unique");
      }
      c.joined(new Member(c.name() + "#" + incarnations.incrementAndGet(), c.name()));
      alive.put(c.name(), c);
      if (!groupOf.isEmpty()) {
        groupOf.put(c.name(), groupOf.values().stream().min(Integer::compare).orElse(0));
      }
      reinstallGroup(groupOf.getOrDefault(c.name(), 0), starts);
    }
    starts.forEach(Runnable::run);
  }

  void leave(InMemoryChannel c, boolean crash) {
    List<Runnable> starts = new ArrayList<>();
    synchronized (lock) {
      if (alive.get(c.name()) != c) {
        c.shutDown("the channel " + c.name() + " is closed");
        return;
      }
      removeLocked(c, crash, starts);
    }
    starts.forEach(Runnable::run);
  }

  private void removeLocked(InMemoryChannel c, boolean crash, List<Runnable> starts) {
    alive.remove(c.name());
    Integer group = groupOf.remove(c.name());
    c.shutDown(
        crash
            ? "the member " + c.name() + " was killed"
            : "the channel " + c.name() + " is closed");
    Member gone = c.member();
    int g = group == null ? 0 : group;
    List<MembershipEvent> suspected =
        crash ? List.of(new MembershipEvent.Suspected(gone)) : List.of();
    installGroup(g, suspected, starts);
  }

  private void reinstallGroup(int group, List<Runnable> starts) {
    installGroup(group, null, starts);
  }

  /**
   * Installs a fresh view on every member of {@code group} whose view changes; {@code before} are
   * events told before the view (null: a Suspected for every member that disappears).
   */
  private void installGroup(int group, List<MembershipEvent> before, List<Runnable> starts) {
    List<InMemoryChannel> members = new ArrayList<>();
    for (InMemoryChannel c : alive.values()) {
      if (groupOf.getOrDefault(c.name(), 0) == group) {
        members.add(c);
      }
    }
    if (members.isEmpty()) {
      return;
    }
    List<Member> ms = members.stream().map(InMemoryChannel::member).toList();
    if (members.stream().allMatch(c -> c.view().members().equals(ms))) {
      return;
    }
    View next = newView(members);
    for (InMemoryChannel c : members) {
      MembershipEvent.ViewInstalled vi = InMemoryChannel.installed(c.view(), next);
      List<MembershipEvent> pre = new ArrayList<>();
      if (before != null) {
        pre.addAll(before);
      } else {
        for (Member m : vi.left()) {
          pre.add(new MembershipEvent.Suspected(m));
        }
      }
      List<MembershipEvent> implied = new ArrayList<>();
      for (Member m : vi.left()) {
        implied.add(new MembershipEvent.Left(m, next));
      }
      for (Member m : vi.joined()) {
        implied.add(new MembershipEvent.Joined(m, next));
      }
      if (c.install(next, pre, implied)) {
        starts.add(c.eventLaneStarter());
      }
    }
  }

  private View newView(Iterable<InMemoryChannel> members) {
    List<Member> ms = new ArrayList<>();
    for (InMemoryChannel c : members) {
      ms.add(c.member());
    }
    return new View(nextViewId++, ms);
  }

  /**
   * Routes one delivery from {@code from} to {@code to}: dropped if the receiver is gone,
   * unreachable (partition) or scripted to drop; else queued on the receiver's lane from the
   * sender.
   */
  void route(Member from, Member to, Consumer<InMemoryChannel> delivery) {
    InMemoryChannel t = admit(from, to);
    if (t != null) {
      t.laneFrom(from).submit(() -> delivery.accept(t), delayOf(to));
    }
  }

  /**
   * Routes a reply or a bulk acknowledgement: like {@link #route} but out of band, on the calling
   * thread (or the timer thread when delayed), never queued behind the sender's other traffic — as
   * JGroups does with OOB messages. Otherwise a handler that requests back to its caller would wait
   * for a reply stuck behind itself.
   */
  void routeOutOfBand(Member from, Member to, Consumer<InMemoryChannel> delivery) {
    InMemoryChannel t = admit(from, to);
    if (t == null) {
      return;
    }
    long delay = delayOf(to);
    if (delay == 0) {
      delivery.accept(t);
    } else {
      try {
        scheduler.schedule(() -> delivery.accept(t), delay, TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // the network is shut down
      }
    }
  }

  private long delayOf(Member to) {
    synchronized (lock) {
      return delayNanos.getOrDefault(to.name(), 0L);
    }
  }

  /** The receiving channel if this delivery gets through, else null (and counted as dropped). */
  private InMemoryChannel admit(Member from, Member to) {
    synchronized (lock) {
      InMemoryChannel target = alive.get(to.name());
      InMemoryChannel sender = alive.get(from.name());
      if (target == null
          || !target.member().equals(to)
          || sender == null
          || !sender.member().equals(from)
          || !Objects.equals(groupOf.get(from.name()), groupOf.get(to.name()))) {
        dropped.incrementAndGet();
        return null;
      }
      Integer drops = dropNext.get(to.name());
      if (drops != null && drops > 0) {
        if (drops == 1) {
          dropNext.remove(to.name());
        } else {
          dropNext.put(to.name(), drops - 1);
        }
        dropped.incrementAndGet();
        return null;
      }
      return target;
    }
  }

  Lane newLane() {
    return new Lane(
        pool, scheduler, delivery == Delivery.SYNCHRONOUS, handlerFailures::incrementAndGet);
  }

  /** Runs {@code task} after {@code timeout} (real or manual time); returns its cancellation. */
  Runnable scheduleTimeout(Runnable task, Duration timeout) {
    if (timeouts != null) {
      return timeouts.schedule(task, timeout);
    }
    try {
      ScheduledFuture<?> f = scheduler.schedule(task, timeout.toNanos(), TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      task.run(); // the network is closed: time out at once
      return () -> {};
    }
  }

  void countHandlerFailure() {
    handlerFailures.incrementAndGet();
  }

  int bulkWindow() {
    return bulkWindow;
  }

  Duration bulkTimeout() {
    return bulkTimeout;
  }
}
