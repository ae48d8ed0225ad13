package dev.cohort.bench.e2e;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.catalina.ha.session.BackupManager;
import org.apache.catalina.ha.session.ClusterSessionListener;
import org.apache.catalina.ha.session.DeltaManager;
import org.apache.catalina.ha.session.JvmRouteBinderValve;
import org.apache.catalina.ha.tcp.ReplicationValve;
import org.apache.catalina.ha.tcp.SimpleTcpCluster;
import org.apache.catalina.tribes.ChannelException;
import org.apache.catalina.tribes.ChannelMessage;
import org.apache.catalina.tribes.Member;
import org.apache.catalina.tribes.group.ChannelInterceptorBase;
import org.apache.catalina.tribes.group.GroupChannel;
import org.apache.catalina.tribes.group.InterceptorPayload;
import org.apache.catalina.tribes.group.interceptors.MessageDispatchInterceptor;
import org.apache.catalina.tribes.group.interceptors.TcpFailureDetector;
import org.apache.catalina.tribes.group.interceptors.TcpPingInterceptor;
import org.apache.catalina.tribes.io.ChannelData;
import org.apache.catalina.tribes.membership.StaticMember;
import org.apache.catalina.tribes.membership.StaticMembershipService;
import org.apache.catalina.tribes.transport.ReplicationTransmitter;
import org.apache.catalina.tribes.transport.nio.NioReceiver;
import org.apache.catalina.tribes.transport.nio.PooledParallelSender;

/**
 * Tomcat's own clustering, configured in code as its documentation's server.xml would: a
 * SimpleTcpCluster with a DeltaManager or BackupManager template, static membership on 127.0.0.1 (a
 * TCP ping per member), NIO receiver and pooled parallel sender, TcpPingInterceptor,
 * TcpFailureDetector and MessageDispatchInterceptor, ReplicationValve and JvmRouteBinderValve.
 * {@code channelSendOptions} 8 (asynchronous) or 6 (synchronized acknowledgement).
 */
final class TomcatClustering {
  /** Bytes (whole tribes packages, times destinations) and messages that left this node. */
  static final AtomicLong SENT_BYTES = new AtomicLong();

  static final AtomicLong SENT_MESSAGES = new AtomicLong();

  private TomcatClustering() {}

  static SimpleTcpCluster build(NodeOptions o) {
    SystemKind s = o.system();
    SimpleTcpCluster cluster = new SimpleTcpCluster();
    cluster.setChannelSendOptions(s.sync() ? 6 : 8);
    if (s.all()) {
      DeltaManager m = new DeltaManager();
      m.setExpireSessionsOnShutdown(false);
      m.setNotifyListenersOnReplication(true);
      m.setStateTransferTimeout(60);
      cluster.setManagerTemplate(m);
      cluster.addClusterListener(new ClusterSessionListener());
    } else {
      BackupManager m = new BackupManager();
      m.setMapSendOptions(6);
      cluster.setManagerTemplate(m);
    }
    GroupChannel channel = new GroupChannel();
    NioReceiver receiver = new NioReceiver();
    receiver.setAddress("127.0.0.1");
    receiver.setPort(o.clusterPort());
    receiver.setAutoBind(1);
    receiver.setMinThreads(2);
    receiver.setMaxThreads(6);
    channel.setChannelReceiver(receiver);
    ReplicationTransmitter transmitter = new ReplicationTransmitter();
    transmitter.setTransport(new PooledParallelSender());
    channel.setChannelSender(transmitter);

    StaticMembershipService membership = new StaticMembershipService();
    membership.setUseThread(true);
    membership.setPingInterval(500);
    membership.setExpirationTime(3000);
    StaticMember local = new StaticMember();
    local.setUniqueId(uniqueId(o.clusterPort()));
    membership.setLocalMember(local);
    for (String m : o.members()) {
      int colon = m.lastIndexOf(':');
      int port = NodeOptions.intOption("--members", m.substring(colon + 1));
      if (port == o.clusterPort()) {
        continue;
      }
      StaticMember peer = new StaticMember();
      peer.setHost(m.substring(0, colon));
      peer.setPort(port);
      peer.setUniqueId(uniqueId(port));
      membership.addStaticMember(peer);
    }
    channel.setMembershipService(membership);
    channel.addInterceptor(new Counting());
    channel.addInterceptor(new TcpPingInterceptor());
    channel.addInterceptor(new TcpFailureDetector());
    channel.addInterceptor(new MessageDispatchInterceptor());
    cluster.setChannel(channel);

    cluster.addValve(new ReplicationValve());
    cluster.addValve(new JvmRouteBinderValve());
    return cluster;
  }

  /** A 16-byte id in Tomcat's {@code {b0,b1,...}} notation, unique per cluster port. */
  static String uniqueId(int port) {
    byte[] seed = ("cohort-bench-" + port).getBytes(StandardCharsets.US_ASCII);
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < 16; i++) {
      int b = i < seed.length ? seed[seed.length - 1 - i] : i;
      sb.append(i == 0 ? "" : ",").append(b);
    }
    return sb.append('}').toString();
  }

  /** Counts what the cluster sends (the topmost interceptor sees every application message). */
  public static final class Counting extends ChannelInterceptorBase {
    @Override
    public void sendMessage(Member[] destination, ChannelMessage msg, InterceptorPayload payload)
        throws ChannelException {
      if (msg instanceof ChannelData cd) {
        SENT_BYTES.addAndGet((long) cd.getDataPackageLength() * destination.length);
      }
      SENT_MESSAGES.addAndGet(destination.length);
      super.sendMessage(destination, msg, payload);
    }
  }
}
