package dev.cohort.jgroups;

import dev.cohort.core.channel.BulkHandler;
import dev.cohort.core.channel.BulkSender;
import dev.cohort.core.channel.ChannelException;
import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.core.channel.DroppedFrames;
import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.MembershipEvent;
import dev.cohort.core.channel.MembershipListener;
import dev.cohort.core.channel.MessageHandler;
import dev.cohort.core.channel.Replies;
import dev.cohort.core.channel.RequestHandler;
import dev.cohort.core.channel.View;
import dev.cohort.jgroups.SealCounters.Drop;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.protocols.DISCARD;
import org.jgroups.stack.ProtocolStack;
import org.jgroups.util.UUID;

/**
 * {@link ClusterChannel} on JGroups. The stack is built in code from a {@link JGroupsConfig} (see
 * {@link StackBuilder} for the drawing); Cohort's traffic travels as {@link Frame}s inside JGroups
 * messages.
 *
 * <p>Ordering: messages, requests and bulk chunks are regular JGroups messages, so JGroups delivers
 * them in FIFO order per sender, one at a time per sender, on its thread pool; replies and bulk
 * acknowledgements are out-of-band (they carry their own correlation id and must not queue behind a
 * busy handler). Membership events are told on one event thread per channel, in order.
 *
 * <p>Security: with a {@code secret} every JGroups message is sealed whole and members are admitted
 * by challenge-response (see {@link Seal}, {@link JoinGuard}); what is dropped on the way is
 * counted in {@link #droppedFrames()}.
 *
 * <p>Failure modes: a frame larger than {@code maxFrameBytes} or one that does not decode is
 * dropped and counted in {@link #malformedFrames()}; a handler that throws fails only its own
 * request (or is counted in {@link #handlerFailures()}). A request times out naming the silent
 * members; members that leave the view are reported as departed.
 */
public final class JGroupsChannel implements ClusterChannel {
  private static final System.Logger LOG = System.getLogger(JGroupsChannel.class.getName());

  /** Unacknowledged chunks per bulk stream. */
  public static final int BULK_WINDOW = 16;

  /** How long a bulk write waits for an acknowledgement before the stream fails. */
  public static final Duration BULK_TIMEOUT = Duration.ofSeconds(30);

  private final JGroupsConfig config;
  private final JChannel ch;
  private final Sealer sealer;
  private final SuspectTap tap = new SuspectTap();
  private final Requests requests;
  private final ExecutorService events;
  private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<Long, JGroupsBulkSender> bulks = new ConcurrentHashMap<>();
  private final AtomicLong nextStreamId = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong handlerFailures = new AtomicLong();
  private final AtomicBoolean connected = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  private volatile MessageHandler messageHandler;
  private volatile RequestHandler requestHandler;
  private volatile BulkHandler bulkHandler;
  private final Membership membership = new Membership();
  private volatile Member local;
  private volatile DISCARD discard;
  private volatile Future<?> staleSweep;

  /**
   * Builds the stack; nothing is bound until {@link #connect()}.
   *
   * @throws IllegalArgumentException naming the option if the bind address does not resolve, or
   *     {@code secret} if a non-loopback address is bound without one and not {@code insecure}
   */
  public JGroupsChannel(JGroupsConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    InetAddress bind = StackBuilder.resolveBindAddress(config);
    config.requireSecretBeyondLoopback(bind);
    if (config.secret() == null && !bind.isLoopbackAddress()) {
      LOG.log(
          Level.WARNING,
          "INSECURE: the cluster port of "
              + config.nodeName()
              + " binds "
              + config.bindAddress()
              + " without a secret (insecure=true): anyone who reaches it can join the cluster,"
              + " read every session and plant new ones — set a secret on every member");
    }
    String prefix = "cohort-jgroups-" + config.nodeName();
    sealer = config.secret() == null ? null : newSealer(config, prefix);
    try {
      ch = new JChannel(StackBuilder.build(config, bind, sealer, tap));
    } catch (Exception e) {
      if (sealer != null) {
        sealer.keys().close();
      }
      throw new ChannelException(
          "building the JGroups stack failed [" + config + "]: " + e + " — check the settings", e);
    }
    ch.name(config.nodeName());
    ch.setReceiver(new Dispatcher());
    tap.onSuspect(this::suspected);
    requests = new Requests(prefix + "-timer", membership::view);
    events = Executors.newSingleThreadExecutor(r -> daemon(r, prefix + "-events"));
  }

  private static Sealer newSealer(JGroupsConfig c, String prefix) {
    ClusterKeys keys =
        new ClusterKeys(c.secret(), c.clusterName(), prefix + "-kdf", System::nanoTime);
    return new Sealer(
        keys,
        new SealCounters(c.nodeName(), System::nanoTime),
        System::currentTimeMillis,
        System::nanoTime);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  // ---- lifecycle

  @Override
  public void connect() {
    if (closed.get()) {
      throw new IllegalStateException(
          "connect failed [" + config.nodeName() + "]: the channel is closed — create a new one");
    }
    if (!connected.compareAndSet(false, true)) {
      return;
    }
    try {
      ch.connect(config.clusterName());
    } catch (Exception e) {
      connected.set(false);
      local = null;
      Throwable refused = e instanceof SecurityException ? e : e.getCause();
      if (refused instanceof SecurityException) {
        // the coordinator's reason: what was refused and what to do (JoinGuard)
        throw new ChannelException(
            "connect failed [cluster "
                + config.clusterName()
                + ", node "
                + config.nodeName()
                + "]: "
                + refused.getMessage(),
            e);
      }
      throw new ChannelException(
          "connect failed [cluster "
              + config.clusterName()
              + ", node "
              + config.nodeName()
              + ", "
              + config.bindAddress()
              + ":"
              + config.port()
              + "+"
              + config.portRange()
              + "]: "
              + e
              + " — check that a port in the range is free and the discovery setting is right",
          e);
    }
    local = membership.toMember(ch.address());
    staleSweep = StaleConnections.start(ch);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Future<?> sweep = staleSweep;
    if (sweep != null) {
      sweep.cancel(false);
    }
    try {
      ch.close();
    } finally {
      if (sealer != null) {
        sealer.keys().close();
      }
      String why = "the channel " + config.nodeName() + " is closed";
      requests.close(why);
      bulks.values().forEach(b -> b.fail(why));
      events.shutdown();
    }
  }

  @Override
  public Member localMember() {
    Member m = learnLocal();
    if (m == null) {
      throw new IllegalStateException(
          "localMember [" + config.nodeName() + "]: not connected — call connect()");
    }
    return m;
  }

  /**
   * This member once {@code connect()} has begun: JGroups gives the channel its address before it
   * starts the stack, and other members send to it as soon as they installed the view that lists it
   * — before its own {@code connect()} returns. Every delivery learns it first, so handlers and
   * listeners can name this member; null before that.
   */
  private Member learnLocal() {
    Member m = local;
    if (m == null && connected.get()) {
      Address a = ch.address();
      Member known = a == null ? null : membership.toMember(a);
      // the name is cached right after the address is made: until then, not known yet
      if (known != null && known.name().equals(config.nodeName())) {
        local = known;
        return known;
      }
    }
    return m;
  }

  @Override
  public View view() {
    return membership.view();
  }

  public JGroupsConfig config() {
    return config;
  }

  /** Cohort frames dropped because they were oversized or did not decode. */
  public long malformedFrames() {
    return malformed.get();
  }

  /**
   * Every frame dropped before a handler saw it: Cohort frames that did not decode, and with a
   * secret the sealed frames that were malformed, failed authentication (membership proofs
   * included), were replays or were stale.
   */
  @Override
  public DroppedFrames droppedFrames() {
    if (sealer == null) {
      return new DroppedFrames(malformed.get(), 0, 0, 0);
    }
    SealCounters s = sealer.counters();
    return new DroppedFrames(
        malformed.get() + s.count(Drop.MALFORMED),
        s.count(Drop.UNAUTHENTICATED) + s.count(Drop.JOIN_REFUSED),
        s.count(Drop.REPLAYED),
        s.count(Drop.STALE));
  }

  /**
   * Sealed frames dropped because they named a salt whose keys were not derived yet (a member that
   * just started, or another partition); the sender's retransmission brings them again. 0 without a
   * secret.
   */
  public long framesAwaitingKey() {
    return sealer == null ? 0 : sealer.counters().count(Drop.AWAITING_KEY);
  }

  /** Membership requests and responses refused by the challenge-response; 0 without a secret. */
  public long refusedMembershipRequests() {
    return sealer == null ? 0 : sealer.counters().count(Drop.JOIN_REFUSED);
  }

  /** Exceptions thrown by message handlers and listeners (requests report theirs to the caller). */
  public long handlerFailures() {
    return handlerFailures.get();
  }

  /** The port the cluster transport is bound to (after {@link #connect()}). */
  public int boundPort() {
    Object pa =
        ch.down(new org.jgroups.Event(org.jgroups.Event.GET_PHYSICAL_ADDRESS, ch.address()));
    if (pa instanceof org.jgroups.stack.IpAddress ip) {
      return ip.getPort();
    }
    throw new IllegalStateException("boundPort [" + config.nodeName() + "]: not connected");
  }

  @Override
  public void addMembershipListener(MembershipListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public void setMessageHandler(MessageHandler handler) {
    this.messageHandler = handler;
  }

  @Override
  public void setRequestHandler(RequestHandler handler) {
    this.requestHandler = handler;
  }

  @Override
  public void setBulkHandler(BulkHandler handler) {
    this.bulkHandler = handler;
  }

  // ---- sending

  @Override
  public void send(Collection<Member> targets, byte[] payload) {
    Objects.requireNonNull(payload, "payload");
    if (!isOpen()) {
      return;
    }
    byte[] frame = checkedFrame(new Frame.Msg(payload), "send");
    for (Member t : new LinkedHashSet<>(targets)) {
      Address a = membership.addressOf(t);
      if (a != null) {
        transmit(a, frame, false);
      }
    }
  }

  @Override
  public CompletableFuture<Replies> request(
      Collection<Member> targets, byte[] payload, Duration timeout) {
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(timeout, "timeout");
    Set<Member> all = new LinkedHashSet<>(targets);
    if (all.isEmpty()) {
      return CompletableFuture.completedFuture(new Replies(Map.of(), Set.of()));
    }
    if (!isOpen()) {
      return CompletableFuture.failedFuture(
          new ChannelException(
              "request failed ["
                  + config.nodeName()
                  + "]: the channel is not connected — connect() first"));
    }
    long id = requests.nextId();
    byte[] frame = checkedFrame(new Frame.Request(id, payload), "request");
    PendingRequest p = requests.open(id, all, timeout);
    for (Member t : all) {
      Address a = membership.addressOf(t);
      if (a == null) {
        p.departed(t);
      } else if (!p.future.isDone()) {
        transmit(a, frame, false);
      }
    }
    return p.future;
  }

  @Override
  public BulkSender openBulk(Member target, String topic) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(topic, "topic");
    if (!isOpen()) {
      throw new ChannelException(
          "open bulk stream failed ["
              + config.nodeName()
              + "]: the channel is not connected — connect() first");
    }
    if (membership.addressOf(target) == null) {
      throw new ChannelException(
          "open bulk stream failed [target "
              + target
              + ", topic "
              + topic
              + "]: the target is not in the view "
              + membership.view().members()
              + " — pick a target from the current view");
    }
    long id = nextStreamId.incrementAndGet();
    JGroupsBulkSender s = new JGroupsBulkSender(this, target, topic, id, BULK_WINDOW, BULK_TIMEOUT);
    bulks.put(id, s);
    if (membership.addressOf(target) == null) { // left while we opened
      s.fail("the target " + target + " left the view");
    }
    return s;
  }

  void sendChunk(Member target, Frame.Chunk chunk) {
    Address a = membership.addressOf(target);
    if (a == null) {
      return; // the view change fails the stream
    }
    transmit(a, checkedFrame(chunk, "bulk write"), false);
  }

  void removeBulk(JGroupsBulkSender b) {
    bulks.remove(b.streamId(), b);
  }

  private boolean isOpen() {
    return connected.get() && !closed.get();
  }

  private byte[] checkedFrame(Frame f, String what) {
    byte[] bytes = FrameCodec.encode(f);
    if (bytes.length > config.maxFrameBytes()) {
      throw new ChannelException(
          what
              + " failed ["
              + bytes.length
              + " bytes]: larger than maxFrameBytes "
              + config.maxFrameBytes()
              + " — send smaller payloads (chunk them) or raise maxFrameBytes on every member");
    }
    return bytes;
  }

  private void transmit(Address to, byte[] frame, boolean oob) {
    Message m = new BytesMessage(to, frame);
    if (oob) {
      m.setFlag(Message.Flag.OOB);
    }
    try {
      ch.send(m);
    } catch (Exception e) {
      // the engine works from views, not delivery receipts; a closed or failing channel drops
      LOG.log(Level.DEBUG, () -> "send to " + to + " dropped: " + e);
    }
  }

  // ---- receiving

  private final class Dispatcher implements Receiver {
    @Override
    public void receive(Message msg) {
      learnLocal();
      int length = msg.getLength();
      if (length > config.maxFrameBytes()) {
        malformed.incrementAndGet();
        return;
      }
      Frame f;
      try {
        f = FrameCodec.decode(msg.getArray(), msg.getOffset(), length);
      } catch (FrameCodec.MalformedFrameException | RuntimeException e) {
        malformed.incrementAndGet();
        LOG.log(Level.DEBUG, () -> "dropped a malformed frame of " + length + " bytes: " + e);
        return;
      }
      dispatch(msg.src(), f);
    }

    @Override
    public void viewAccepted(org.jgroups.View v) {
      learnLocal();
      installed(v);
    }
  }

  private void dispatch(Address src, Frame f) {
    Member from = membership.toMember(src);
    if (f instanceof Frame.Msg m) {
      MessageHandler h = messageHandler;
      if (h != null) {
        try {
          h.onMessage(from, m.payload());
        } catch (RuntimeException e) {
          handlerFailures.incrementAndGet();
          LOG.log(
              Level.WARNING, () -> "message handler failed on a message from " + from + ": " + e);
        }
      }
    } else if (f instanceof Frame.Request r) {
      answer(src, from, r);
    } else if (f instanceof Frame.Reply r) {
      requests.answered(r.id(), from, r.payload());
    } else if (f instanceof Frame.Failure r) {
      requests.failed(r.id(), from, r.message());
    } else if (f instanceof Frame.Chunk c) {
      onChunk(src, from, c);
    } else if (f instanceof Frame.Ack a) {
      JGroupsBulkSender b = bulks.get(a.streamId());
      if (b != null && b.target().equals(from)) {
        b.acked(a.seq(), a.error());
      }
    }
  }

  private void answer(Address src, Member from, Frame.Request r) {
    RequestHandler h = requestHandler;
    Frame out;
    if (h == null) {
      out = new Frame.Failure(r.id(), "no request handler is set on " + config.nodeName());
    } else {
      try {
        byte[] reply = h.onRequest(from, r.payload());
        out = new Frame.Reply(r.id(), reply == null ? new byte[0] : reply);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        out = new Frame.Failure(r.id(), "interrupted on " + config.nodeName());
      } catch (Exception e) {
        out = new Frame.Failure(r.id(), e.getClass().getName() + ": " + e.getMessage());
      }
    }
    byte[] bytes = FrameCodec.encode(out);
    if (bytes.length > config.maxFrameBytes()) {
      bytes =
          FrameCodec.encode(
              new Frame.Failure(
                  r.id(),
                  "the reply of "
                      + bytes.length
                      + " bytes is larger than maxFrameBytes "
                      + config.maxFrameBytes()));
    }
    transmit(src, bytes, true);
  }

  private void onChunk(Address src, Member from, Frame.Chunk c) {
    BulkHandler h = bulkHandler;
    String error = null;
    if (h == null) {
      error = "no bulk handler is set on " + config.nodeName();
    } else {
      try {
        h.onChunk(from, c.topic(), c.streamId(), c.seq(), c.payload(), c.last());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        error = "interrupted on " + config.nodeName();
      } catch (Exception e) {
        error = e.getClass().getName() + ": " + e.getMessage();
      }
    }
    transmit(src, FrameCodec.encode(new Frame.Ack(c.streamId(), c.seq(), error)), true);
  }

  // ---- membership

  private void installed(org.jgroups.View v) {
    List<MembershipEvent> events = membership.install(v);
    View next = membership.view();
    requests.viewChanged(next);
    for (JGroupsBulkSender b : bulks.values()) {
      if (!next.contains(b.target())) {
        b.fail(
            "the target "
                + b.target()
                + " left the view "
                + next.members()
                + " — restart the transfer to a member of the current view");
      }
    }
    tell(events);
  }

  private void suspected(Collection<Address> suspects) {
    tell(membership.suspected(suspects));
  }

  private void tell(List<MembershipEvent> out) {
    if (closed.get()) {
      return;
    }
    try {
      events.execute(
          () -> {
            for (MembershipEvent e : out) {
              if (closed.get()) {
                return;
              }
              for (MembershipListener l : listeners) {
                try {
                  l.onEvent(e);
                } catch (RuntimeException ex) {
                  handlerFailures.incrementAndGet();
                  LOG.log(Level.WARNING, () -> "membership listener failed: " + ex);
                }
              }
            }
          });
    } catch (RejectedExecutionException e) {
      // closed meanwhile: no more events
    }
  }

  // ---- test hooks

  /**
   * Test hook: drops every message from {@code members} just above the transport (JGroups' DISCARD,
   * inserted on first use), so heartbeats stop and the view splits as in a real partition; an empty
   * collection heals. Never use in production.
   */
  public void discardFromForTest(Collection<Member> members) {
    try {
      DISCARD d = discard;
      if (d == null) {
        d = new DISCARD();
        ProtocolStack stack = ch.getProtocolStack();
        stack.insertProtocol(d, ProtocolStack.Position.ABOVE, stack.getTransport().getClass());
        d.init();
        d.start();
        discard = d;
      }
      d.resetIgnoredMembers();
      for (Member m : members) {
        Address a = membership.addressOf(m);
        if (a == null) {
          a = UUID.fromString(m.id());
        }
        d.addIgnoreMember(a);
      }
    } catch (Exception e) {
      throw new IllegalStateException("inserting DISCARD failed: " + e, e);
    }
  }

  /** The JGroups channel, for tests in this package. */
  JChannel jchannel() {
    return ch;
  }

  /** The sealing state (null without a secret), for tests in this package. */
  Sealer sealer() {
    return sealer;
  }
}
