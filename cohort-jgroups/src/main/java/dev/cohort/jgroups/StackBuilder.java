package dev.cohort.jgroups;

import dev.cohort.jgroups.JGroupsConfig.Discovery;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.MPING;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.TCP_NIO2;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT;
import org.jgroups.protocols.dns.DNS_PING;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;

/**
 * Builds the JGroups stack from a {@link JGroupsConfig}, bottom to top:
 *
 * <pre>
 *   TCP_NIO2             bind_addr, bind_port (+port_range), max_length from maxFrameBytes,
 *                        tcp_nodelay (JGroups' default is off), no diagnostics; with a secret
 *                        SealedTransport, which parses nothing but sealed frames
 *   Seal                 only with a secret: every message sealed whole (AES-256/GCM, replay
 *                        window, send time)
 *   MPING | TCPPING | DNS_PING   discovery (SealedMping instead of MPING with a secret)
 *   SealedDiscoveryWait  only with a secret: a joiner that hears members it cannot read yet
 *                        keeps discovering instead of forming a cluster alone
 *   MERGE3               heals partitions (min/max interval 2x / 6x heartbeat)
 *   FD_SOCK2             instant crash detection: a closed TCP connection
 *   FD_ALL3              heartbeat / dropTime: hangs and cut-off members
 *   VERIFY_SUSPECT       double-checks a suspicion before the member is removed
 *   NAKACK2, UNICAST3    reliable FIFO multicast / unicast
 *   STABLE               garbage-collects delivered messages
 *   JoinGuard            only with a secret: joins and merges by challenge-response
 *   SuspectTap           reports SUSPECT events to the channel
 *   GMS                  views
 *   UFC, MFC             flow control
 *   FRAG4                fragmentation
 * </pre>
 */
final class StackBuilder {
  /** With a secret: GMS join timeout at least this (it is also how long discovery waits). */
  static final long SEALED_JOIN_TIMEOUT_MS = 3000;

  /** With a secret: discovery requests sent per join attempt, spread over the join timeout. */
  static final int SEALED_DISCOVERY_RUNS = 6;

  /**
   * With a secret, how much longer than the join timeout a joiner keeps discovering while it hears
   * members it cannot read yet (see {@link SealedDiscoveryWait}).
   */
  static final long SEALED_DISCOVERY_PATIENCE_MS = 12_000;

  private StackBuilder() {}

  static InetAddress resolveBindAddress(JGroupsConfig c) {
    try {
      return InetAddress.getByName(c.bindAddress());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "bindAddress: cannot resolve '" + c.bindAddress() + "' — give an IP address of this host",
          e);
    }
  }

  /** How far above the bound transport port FD_SOCK2 listens. */
  static int fdSockOffset(JGroupsConfig c) {
    return Math.max(100, c.portRange() + 1);
  }

  /**
   * The protocols, bottom first.
   *
   * @param sealer the channel's sealing state when it has a secret, else null
   */
  static List<Protocol> build(JGroupsConfig c, InetAddress bind, Sealer sealer, SuspectTap tap) {
    long hb = c.heartbeat().toMillis();
    long drop = c.dropTime().toMillis();
    List<Protocol> p = new ArrayList<>();

    TCP_NIO2 tcp = sealer == null ? new TCP_NIO2() : new SealedTransport(sealer.counters());
    tcp.setBindAddress(bind);
    tcp.setBindPort(c.port());
    tcp.setPortRange(c.portRange());
    tcp.setMaxLength(Math.max(c.maxFrameBytes(), 1 << 20) + (64 << 10));
    // JGroups 5.5 leaves Nagle's algorithm on: a small message written while an earlier one is
    // unacknowledged waits for the peer's delayed ACK, 40 ms on Linux. A sync commit is a small
    // request and a small answer: sequential requests on an idle channel had a p99.9 of up to
    // 44 ms, and a few concurrent users hit it all the time (e2e at 4 client threads: 240 req/s,
    // p99 50 ms; design 002)
    tcp.tcpNodelay(true);
    tcp.disableDiagnostics();
    p.add(tcp);

    if (sealer != null) {
      p.add(new Seal(sealer));
    }
    org.jgroups.protocols.Discovery ping = discovery(c, bind, sealer);
    if (sealer != null) {
      // the first request of a member with a new salt is dropped while its keys are derived:
      // ask again a few times within the join timeout
      ping.numDiscoveryRuns(SEALED_DISCOVERY_RUNS);
    }
    p.add(ping);
    if (sealer != null) {
      p.add(new SealedDiscoveryWait(sealer.keys(), SEALED_DISCOVERY_PATIENCE_MS));
    }

    MERGE3 merge = new MERGE3();
    merge.setMinInterval(Math.max(500, 2 * hb));
    merge.setMaxInterval(Math.max(1500, 6 * hb));
    p.add(merge);

    FD_SOCK2 fdSock = new FD_SOCK2();
    fdSock.setBindAddress(bind);
    // FD_SOCK2 listens above the transport's whole port range, and at least 100 ports up: members
    // on adjacent ports with no range (7801, 7802, ...) must not take each other's transport port
    fdSock.setOffset(fdSockOffset(c));
    fdSock.setPortRange(Math.max(5, c.portRange()));
    p.add(fdSock);

    FD_ALL3 fdAll = new FD_ALL3();
    fdAll.setInterval(hb);
    fdAll.setTimeout(drop);
    p.add(fdAll);

    VERIFY_SUSPECT verify = new VERIFY_SUSPECT();
    // a suspicion comes from a closed socket (FD_SOCK2) or dropTime of silence (FD_ALL3); a short
    // double-check keeps crash detection near one second without trusting a single signal
    verify.setTimeout(Math.max(500, Math.min(1500, 2 * hb)));
    verify.setBindAddress(bind);
    p.add(verify);

    p.add(new NAKACK2());
    p.add(new UNICAST3());
    p.add(new STABLE());
    if (sealer != null) {
      p.add(new JoinGuard(sealer.keys(), sealer.counters(), System::nanoTime));
    }
    p.add(tap);

    GMS gms = new GMS();
    gms.printLocalAddress(false);
    long join = Math.max(1000, Math.min(5000, 4 * hb));
    // with a secret, a member that meets a new salt derives its keys (a fraction of a second,
    // more on a busy machine) before it can answer a joiner: give discovery the time for that
    gms.setJoinTimeout(sealer == null ? join : Math.max(join, SEALED_JOIN_TIMEOUT_MS));
    gms.setLeaveTimeout(Math.max(1000, Math.min(5000, 4 * hb)));
    p.add(gms);

    p.add(new UFC());
    p.add(new MFC());
    p.add(new FRAG4());
    return p;
  }

  private static org.jgroups.protocols.Discovery discovery(
      JGroupsConfig c, InetAddress bind, Sealer sealer) {
    Discovery d = Discovery.parse(c.discovery());
    if (d instanceof Discovery.Multicast m) {
      MPING ping = sealer == null ? new MPING() : new SealedMping(sealer);
      ping.setBindAddr(bind);
      try {
        ping.setMcastAddr(InetAddress.getByName(m.address()));
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("discovery: cannot use '" + m.address() + "'", e);
      }
      ping.setMcastPort(m.port());
      ping.setTTL(bind.isLoopbackAddress() ? 0 : 8);
      return ping;
    }
    if (d instanceof Discovery.Static s) {
      List<InetSocketAddress> hosts = new ArrayList<>();
      for (Discovery.HostPort hp : s.members()) {
        InetSocketAddress a = new InetSocketAddress(hp.host(), hp.port());
        if (a.isUnresolved()) {
          throw new IllegalArgumentException(
              "discovery: cannot resolve static member '" + hp.host() + "' — fix the host name");
        }
        hosts.add(a);
      }
      TCPPING ping = new TCPPING();
      ping.setInitialHosts(hosts);
      ping.setPortRange(0);
      return ping;
    }
    Discovery.Dns dns = (Discovery.Dns) d;
    DNS_PING ping = new DNS_PING();
    ping.dnsQuery(dns.name());
    ping.dnsRecordType("A");
    if (dns.server() != null) {
      ping.dnsAddress(dns.server()); // asked through JNDI as dns://server[:port]
    }
    return ping;
  }
}
