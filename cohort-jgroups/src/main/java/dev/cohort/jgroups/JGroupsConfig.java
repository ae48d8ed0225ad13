package dev.cohort.jgroups;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The knobs of a {@link JGroupsChannel}, Tomcat-like; the JGroups stack is built from them in code.
 * Immutable and validated here: a bad value throws {@link IllegalArgumentException} whose message
 * starts with the option's name.
 *
 * @param clusterName members with the same name form one cluster (partitioning several clusters on
 *     one network)
 * @param nodeName this member's route name (Tomcat's jvmRoute), the JGroups logical name
 * @param bindAddress the address the cluster port (and multicast discovery) binds to; anything but
 *     loopback requires a {@code secret} (or {@code insecure})
 * @param port the first TCP port to try; 0 picks an ephemeral port (tests)
 * @param portRange how many further ports to try when {@code port} is taken
 * @param discovery {@code multicast} (228.0.0.4:45564), {@code multicast:addr:port}, {@code
 *     static:host:port,host:port,...}, {@code dns:name} (the A records of a headless Kubernetes
 *     service, resolved by the system's resolver) or {@code dns:name@server[:port]} (resolved by
 *     that DNS server)
 * @param heartbeat how often members send heartbeats
 * @param dropTime after how long without a heartbeat a member is suspected and removed
 * @param secret shared secret (at least 16 bytes); every cluster message is then sealed whole
 *     (AES-256/GCM, replays refused) and members are admitted by challenge-response; member clocks
 *     must agree within 120 s; null for none
 * @param maxFrameBytes largest Cohort frame (message, request, reply, chunk) sent or accepted;
 *     larger incoming frames are dropped and counted
 * @param insecure the explicit opt-out that lets a channel bind a non-loopback address without a
 *     secret (anyone who reaches the port can then join and read every session); false by default
 */
public record JGroupsConfig(
    String clusterName,
    String nodeName,
    String bindAddress,
    int port,
    int portRange,
    String discovery,
    Duration heartbeat,
    Duration dropTime,
    String secret,
    int maxFrameBytes,
    boolean insecure) {

  public static final String DEFAULT_CLUSTER = "cohort";
  public static final int DEFAULT_PORT = 4000;
  public static final int DEFAULT_PORT_RANGE = 100;
  public static final String DEFAULT_MULTICAST_ADDRESS = "228.0.0.4";
  public static final int DEFAULT_MULTICAST_PORT = 45564;
  public static final String DEFAULT_DISCOVERY =
      "multicast:" + DEFAULT_MULTICAST_ADDRESS + ":" + DEFAULT_MULTICAST_PORT;
  public static final Duration DEFAULT_HEARTBEAT = Duration.ofMillis(500);
  public static final Duration DEFAULT_DROP_TIME = Duration.ofMillis(3000);
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
  public static final int MIN_SECRET_BYTES = 16;
  public static final int MIN_FRAME_BYTES = 4096;
  public static final int MAX_FRAME_BYTES = 1 << 30;

  public JGroupsConfig {
    requireText("clusterName", clusterName);
    requireText("nodeName", nodeName);
    requireText("bindAddress", bindAddress);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: must be 0..65535 (got " + port + ")");
    }
    if (portRange < 0 || portRange > 10_000 || port + portRange > 65535) {
      throw new IllegalArgumentException(
          "portRange: must be 0..10000 and port + portRange at most 65535 (got "
              + portRange
              + " with port "
              + port
              + ")");
    }
    Discovery.parse(discovery); // validates
    if (heartbeat == null || heartbeat.isNegative() || heartbeat.isZero()) {
      throw new IllegalArgumentException("heartbeat: must be positive (got " + heartbeat + ")");
    }
    if (dropTime == null || dropTime.compareTo(heartbeat.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException(
          "dropTime: must be at least twice the heartbeat "
              + heartbeat.toMillis()
              + " ms (got "
              + (dropTime == null ? "null" : dropTime.toMillis() + " ms")
              + ")");
    }
    if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "secret: must be at least "
              + MIN_SECRET_BYTES
              + " bytes (got "
              + secret.getBytes(StandardCharsets.UTF_8).length
              + ")");
    }
    if (maxFrameBytes < MIN_FRAME_BYTES || maxFrameBytes > MAX_FRAME_BYTES) {
      throw new IllegalArgumentException(
          "maxFrameBytes: must be "
              + MIN_FRAME_BYTES
              + ".."
              + MAX_FRAME_BYTES
              + " (got "
              + maxFrameBytes
              + ")");
    }
  }

  /**
   * Refuses a channel that would be reachable from the network without a secret, unless {@code
   * insecure} says so.
   *
   * @throws IllegalArgumentException naming {@code secret} when refused, or {@code bindAddress}
   *     when it does not resolve
   */
  public void requireSecretBeyondLoopback() {
    requireSecretBeyondLoopback(StackBuilder.resolveBindAddress(this));
  }

  void requireSecretBeyondLoopback(InetAddress bind) {
    if (secretRequired(bind, secret != null, insecure)) {
      throw new IllegalArgumentException(
          "secret: required when the cluster port binds "
              + bindAddress
              + " (not loopback) — anyone who reaches it could join the cluster, read every"
              + " session and plant new ones; set a secret of at least "
              + MIN_SECRET_BYTES
              + " bytes on every member, bind loopback, or (only on a network nobody else"
              + " reaches) opt out with insecure=true");
    }
  }

  /**
   * The rule every front end applies before it starts: a cluster port bound beyond loopback needs a
   * secret unless the operator opted out with {@code insecure}. About where this member listens,
   * never about who connects.
   */
  public static boolean secretRequired(InetAddress bind, boolean hasSecret, boolean insecure) {
    return !hasSecret && !insecure && !bind.isLoopbackAddress();
  }

  private static void requireText(String option, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(option + ": required");
    }
    if (!value.strip().equals(value)) {
      throw new IllegalArgumentException(
          option + ": must not start or end with white space (got '" + value + "')");
    }
  }

  /**
   * The defaults: cluster {@code cohort}, port 4000 (+100), multicast 228.0.0.4:45564, heartbeat
   * 500 ms, drop after 3000 ms, no secret, frames up to 16 MiB.
   */
  public static JGroupsConfig defaults(String nodeName, String bindAddress) {
    return new JGroupsConfig(
        DEFAULT_CLUSTER,
        nodeName,
        bindAddress,
        DEFAULT_PORT,
        DEFAULT_PORT_RANGE,
        DEFAULT_DISCOVERY,
        DEFAULT_HEARTBEAT,
        DEFAULT_DROP_TIME,
        null,
        DEFAULT_MAX_FRAME_BYTES,
        false);
  }

  public JGroupsConfig withClusterName(String v) {
    return toBuilder().clusterName(v).build();
  }

  public JGroupsConfig withNodeName(String v) {
    return toBuilder().nodeName(v).build();
  }

  public JGroupsConfig withBindAddress(String v) {
    return toBuilder().bindAddress(v).build();
  }

  public JGroupsConfig withPort(int v) {
    return toBuilder().port(v).build();
  }

  public JGroupsConfig withPortRange(int v) {
    return toBuilder().portRange(v).build();
  }

  public JGroupsConfig withDiscovery(String v) {
    return toBuilder().discovery(v).build();
  }

  public JGroupsConfig withHeartbeat(Duration v) {
    return toBuilder().heartbeat(v).build();
  }

  public JGroupsConfig withDropTime(Duration v) {
    return toBuilder().dropTime(v).build();
  }

  public JGroupsConfig withSecret(String v) {
    return toBuilder().secret(v).build();
  }

  public JGroupsConfig withMaxFrameBytes(int v) {
    return toBuilder().maxFrameBytes(v).build();
  }

  public JGroupsConfig withInsecure(boolean v) {
    return toBuilder().insecure(v).build();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** A copy of a config with some settings changed; {@link #build} validates. */
  public static final class Builder {
    private String clusterName;
    private String nodeName;
    private String bindAddress;
    private int port;
    private int portRange;
    private String discovery;
    private Duration heartbeat;
    private Duration dropTime;
    private String secret;
    private int maxFrameBytes;
    private boolean insecure;

    private Builder(JGroupsConfig c) {
      clusterName = c.clusterName;
      nodeName = c.nodeName;
      bindAddress = c.bindAddress;
      port = c.port;
      portRange = c.portRange;
      discovery = c.discovery;
      heartbeat = c.heartbeat;
      dropTime = c.dropTime;
      secret = c.secret;
      maxFrameBytes = c.maxFrameBytes;
      insecure = c.insecure;
    }

    public Builder clusterName(String v) {
      clusterName = v;
      return this;
    }

    public Builder nodeName(String v) {
      nodeName = v;
      return this;
    }

    public Builder bindAddress(String v) {
      bindAddress = v;
      return this;
    }

    public Builder port(int v) {
      port = v;
      return this;
    }

    public Builder portRange(int v) {
      portRange = v;
      return this;
    }

    public Builder discovery(String v) {
      discovery = v;
      return this;
    }

    public Builder heartbeat(Duration v) {
      heartbeat = v;
      return this;
    }

    public Builder dropTime(Duration v) {
      dropTime = v;
      return this;
    }

    public Builder secret(String v) {
      secret = v;
      return this;
    }

    public Builder maxFrameBytes(int v) {
      maxFrameBytes = v;
      return this;
    }

    public Builder insecure(boolean v) {
      insecure = v;
      return this;
    }

    public JGroupsConfig build() {
      return new JGroupsConfig(
          clusterName,
          nodeName,
          bindAddress,
          port,
          portRange,
          discovery,
          heartbeat,
          dropTime,
          secret,
          maxFrameBytes,
          insecure);
    }
  }

  /** Never shows the secret, only whether one is set. */
  @Override
  public String toString() {
    return "JGroupsConfig[clusterName="
        + clusterName
        + ", nodeName="
        + nodeName
        + ", bindAddress="
        + bindAddress
        + ", port="
        + port
        + ", portRange="
        + portRange
        + ", discovery="
        + discovery
        + ", heartbeat="
        + heartbeat.toMillis()
        + "ms, dropTime="
        + dropTime.toMillis()
        + "ms, secret="
        + (secret == null ? "none" : "(set)")
        + ", maxFrameBytes="
        + maxFrameBytes
        + (insecure ? ", INSECURE" : "")
        + "]";
  }

  /** A parsed {@code discovery} setting. */
  sealed interface Discovery {
    record Multicast(String address, int port) implements Discovery {}

    record Static(List<HostPort> members) implements Discovery {
      public Static {
        members = List.copyOf(members);
      }
    }

    /**
     * @param name the name whose A records are the members' addresses
     * @param server {@code host[:port]} of the DNS server to ask, or null for the system's resolver
     */
    record Dns(String name, String server) implements Discovery {
      public Dns(String name) {
        this(name, null);
      }
    }

    record HostPort(String host, int port) {}

    String USAGE = "is not multicast[:addr:port], static:host:port,... or dns:name";

    static Discovery parse(String spec) {
      if (spec == null || spec.isBlank()) {
        throw new IllegalArgumentException(
            "discovery: required (multicast[:addr:port], static:host:port,... or dns:name)");
      }
      if (spec.equals("multicast")) {
        return new Multicast(DEFAULT_MULTICAST_ADDRESS, DEFAULT_MULTICAST_PORT);
      }
      if (spec.startsWith("multicast:")) {
        HostPort hp = hostPort(spec, spec.substring("multicast:".length()));
        if (!isIpv4Multicast(hp.host())) {
          throw new IllegalArgumentException(
              "discovery: '"
                  + spec
                  + "' names "
                  + hp.host()
                  + ", not an IPv4 multicast address (224.0.0.0 to 239.255.255.255)");
        }
        return new Multicast(hp.host(), hp.port());
      }
      if (spec.startsWith("static:")) {
        String list = spec.substring("static:".length());
        List<HostPort> members = new ArrayList<>();
        for (String part : list.split(",", -1)) {
          members.add(hostPort(spec, part.strip()));
        }
        return new Static(members);
      }
      if (spec.startsWith("dns:")) {
        String name = spec.substring("dns:".length());
        String server = null;
        int at = name.indexOf('@');
        if (at >= 0) {
          server = name.substring(at + 1);
          name = name.substring(0, at);
          if (!isDnsServer(server)) {
            throw new IllegalArgumentException(
                "discovery: '"
                    + spec
                    + "' needs a DNS server host[:port] after @ (e.g. dns:cohort.ns.svc@10.0.0.10:53)");
          }
        }
        if (name.isBlank() || !name.matches("[A-Za-z0-9.-]+")) {
          throw new IllegalArgumentException(
              "discovery: '" + spec + "' needs a DNS name after dns: (e.g. dns:cohort.ns.svc)");
        }
        return new Dns(name, server);
      }
      throw new IllegalArgumentException("discovery: '" + spec + "' " + USAGE);
    }

    private static HostPort hostPort(String spec, String hp) {
      int colon = hp.lastIndexOf(':');
      if (colon <= 0 || colon == hp.length() - 1) {
        throw new IllegalArgumentException(
            "discovery: '" + spec + "' " + USAGE + " ('" + hp + "' is not host:port)");
      }
      String host = hp.substring(0, colon);
      int port;
      try {
        port = Integer.parseInt(hp.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "discovery: '" + spec + "' " + USAGE + " ('" + hp + "' has no numeric port)");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            "discovery: '" + spec + "' has port " + port + " (must be 1..65535)");
      }
      return new HostPort(host, port);
    }

    /** {@code host} or {@code host:port} (IPv4 address or name; port 1..65535). */
    private static boolean isDnsServer(String server) {
      if (!server.matches("[A-Za-z0-9.-]+(:[0-9]{1,5})?")) {
        return false;
      }
      int colon = server.indexOf(':');
      if (colon < 0) {
        return true;
      }
      int port = Integer.parseInt(server.substring(colon + 1));
      return port >= 1 && port <= 65535;
    }

    private static boolean isIpv4Multicast(String host) {
      String[] p = host.split("\\.", -1);
      if (p.length != 4) {
        return false;
      }
      int[] v = new int[4];
      for (int i = 0; i < 4; i++) {
        try {
          v[i] = Integer.parseInt(p[i]);
        } catch (NumberFormatException e) {
          return false;
        }
        if (v[i] < 0 || v[i] > 255) {
          return false;
        }
      }
      return v[0] >= 224 && v[0] <= 239;
    }
  }
}
