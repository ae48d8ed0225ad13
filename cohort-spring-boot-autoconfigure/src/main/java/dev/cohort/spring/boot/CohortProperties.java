package dev.cohort.spring.boot;

import dev.cohort.core.engine.EngineConfig;
import dev.cohort.core.engine.Mode;
import dev.cohort.jgroups.JGroupsConfig;
import dev.cohort.tomcat.Secrets;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * The {@code cohort.*} properties of a Spring Boot application. Spring Boot fills them in; {@link
 * #validate} checks them all while they are bound, so a bad value stops the application at start
 * with a message that begins with the property's name ({@code cohort.backups: ...}). Nothing but
 * the auto-configuration reads them, once, to configure the {@code CohortCluster}.
 *
 * <p>The same settings as {@code <Cluster className="dev.cohort.tomcat.CohortCluster" .../>} in
 * server.xml (docs/tomcat.md, docs/channel.md), in Spring's dashed form.
 */
@ConfigurationProperties(prefix = CohortProperties.PREFIX)
public class CohortProperties implements Validator {
  static final String PREFIX = "cohort";

  /** Whether Cohort replicates the sessions of the embedded Tomcat. */
  private boolean enabled = true;

  /**
   * This node's name: the route suffix of its session ids (Tomcat's jvmRoute) and its name in the
   * cluster. Unique in a cluster and stable across restarts. Defaults to the HOSTNAME environment
   * variable (the pod name on Kubernetes), else the host's name, up to its first dot.
   */
  private String nodeName;

  /** Replication mode: "backup" (k replica holders per session) or "all" (every member). */
  private String mode = "backup";

  /** k, the replica holders of each session in backup mode (1..16). */
  private int backups = 1;

  /** Whether a response waits until the replica holders acknowledged the session change. */
  private boolean sync = true;

  /** How long a sync commit or a session take-over waits for the other members. */
  private Duration syncTimeout = Duration.ofSeconds(5);

  /**
   * How members find each other. "multicast" or "multicast:ADDR:PORT": one LAN.
   * "static:HOST:PORT,...": a fixed set of hosts, this one included. "dns:NAME": the A records of
   * NAME, e.g. a headless Kubernetes service; "dns:NAME@SERVER[:PORT]" asks that DNS server.
   */
  private String discovery = "multicast";

  /**
   * Address the cluster port binds to (on Kubernetes: the pod IP). Anything but loopback requires a
   * secret (or the "insecure" opt-out).
   */
  private String bindAddress = "127.0.0.1";

  /** First TCP port the cluster transport tries. */
  private int port = 4000;

  /** How many ports after "port" are tried when it is taken (0..1000). */
  private int portRange = 100;

  /**
   * Members with the same cluster name form one cluster; the context path is appended ("/ROOT" for
   * the root context). Unset: spring.application.name, else "cohort".
   */
  private String clusterName;

  /**
   * Shared secret, at least 16 bytes: encrypts all cluster traffic (AES-GCM) and keeps out members
   * without it. Required when bindAddress is not loopback; never logged.
   */
  private String secret;

  /**
   * INSECURE opt-out: lets the cluster port bind a non-loopback address without a secret, so that
   * anyone who reaches it can join the cluster and read every session. Only for a network nobody
   * else reaches.
   */
  private boolean insecure;

  private transient String applicationName;

  /** How long a joining node waits for the sessions of the others in "all" mode. */
  private Duration stateTransferTimeout = Duration.ofSeconds(60);

  /** How long a graceful stop waits for replica holders to take over this node's sessions. */
  private Duration drainTimeout = Duration.ofSeconds(30);

  /** How often each member sends a heartbeat. */
  private Duration heartbeat = Duration.ofMillis(500);

  /** Silence after which a member is suspected and removed; at least twice the heartbeat. */
  private Duration dropTime = Duration.ofSeconds(3);

  /**
   * Request URIs matching this case-insensitive regular expression are never replicated. Unset:
   * Cohort's default (static resources: .js, .css, images, fonts, ...).
   */
  private String replicationFilter;

  /**
   * Classes and packages (a.b.C, a.b.*, a.b.**), comma-separated, that session attribute values may
   * use besides the JDK's basic types; any other class is refused on deserialization.
   */
  private String allowedClasses = "";

  /**
   * Only session attributes whose name matches this regular expression (whole name) are replicated;
   * the others stay on the node that set them and are gone after a fail-over. Tomcat's
   * sessionAttributeNameFilter. Unset: all.
   */
  private String sessionAttributeNameFilter;

  /**
   * Only session attributes whose value's class name matches this regular expression are
   * replicated; the others (non-serializable ones too) stay on the node that set them. Tomcat's
   * sessionAttributeValueClassNameFilter. Unset: all.
   */
  private String sessionAttributeValueClassNameFilter;

  /**
   * Durable session store: "jdbc:URL" (the application adds HikariCP and the JDBC driver) or
   * "file:DIR" (docs/stores.md). Unset: replication only.
   */
  private String store;

  /** Whether this node serves /cohort/health, /cohort/status, /cohort/ and /cohort/metrics. */
  private boolean adminEnabled = true;

  /**
   * Port of an extra Tomcat connector, the admin connector, where /cohort/status, /cohort/ and
   * /cohort/metrics answer without a signature. 0 (default): none; those pages then answer only
   * requests signed with the secret (/cohort/health answers everywhere).
   */
  private int adminPort;

  /** Address the admin connector binds to. */
  private String adminAddress = "127.0.0.1";

  /**
   * A file whose first line is the secret, instead of "secret" (keeps it out of property files and
   * process listings). The COHORT_SECRET environment variable also sets cohort.secret.
   */
  private String secretFile;

  // ---- validation ----

  @Override
  public boolean supports(Class<?> type) {
    return CohortProperties.class.isAssignableFrom(type);
  }

  @Override
  public void validate(Object target, Errors errors) {
    CohortProperties p = (CohortProperties) target;
    if (!p.enabled) {
      return;
    }
    check(errors, "nodeName", () -> requireText("nodeName", p.resolvedNodeName()));
    check(errors, "mode", () -> Mode.parse(p.mode == null ? "" : p.mode));
    check(errors, "backups", () -> EngineConfig.defaults().withBackups(p.backups));
    check(errors, "syncTimeout", () -> requirePositive("syncTimeout", p.syncTimeout));
    check(
        errors,
        "stateTransferTimeout",
        () -> requirePositive("stateTransferTimeout", p.stateTransferTimeout));
    check(errors, "drainTimeout", () -> requirePositive("drainTimeout", p.drainTimeout));
    check(errors, "heartbeat", () -> requirePositive("heartbeat", p.heartbeat));
    check(errors, "dropTime", () -> requirePositive("dropTime", p.dropTime));
    check(errors, "portRange", () -> requireRange("portRange", p.portRange, 0, 1000));
    check(errors, "replicationFilter", p::compileReplicationFilter);
    check(errors, "allowedClasses", p::checkAllowedClasses);
    check(
        errors,
        "sessionAttributeNameFilter",
        () -> compile("sessionAttributeNameFilter", p.sessionAttributeNameFilter, 0));
    check(
        errors,
        "sessionAttributeValueClassNameFilter",
        () ->
            compile(
                "sessionAttributeValueClassNameFilter", p.sessionAttributeValueClassNameFilter, 0));
    check(errors, "store", p::checkStore);
    check(errors, "adminPort", () -> requireRange("adminPort", p.adminPort, 0, 65535));
    check(errors, "secretFile", p::resolvedSecret);
    if (!errors.hasErrors()) {
      // the channel's own checks: names, addresses, ports, discovery syntax, secret length
      check(errors, null, () -> p.channelConfig().requireSecretBeyondLoopback());
    }
  }

  /** The channel settings as the node will use them (validates; throws naming the option). */
  JGroupsConfig channelConfig() {
    return new JGroupsConfig(
        resolvedClusterName() + "/ROOT",
        resolvedNodeName(),
        bindAddress,
        port,
        portRange,
        discovery,
        heartbeat,
        dropTime,
        resolvedSecret(),
        JGroupsConfig.DEFAULT_MAX_FRAME_BYTES,
        insecure);
  }

  /**
   * Runs one check; an {@link IllegalArgumentException} whose message starts with an option's name
   * becomes an error on that property, re-worded as {@code cohort.<property>: <why>}.
   */
  private void check(Errors errors, String field, Runnable check) {
    try {
      check.run();
    } catch (IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage());
      String option = field;
      String why = message;
      int colon = message.indexOf(':');
      if (colon > 0 && message.substring(0, colon).matches("[A-Za-z]+")) {
        option = message.substring(0, colon);
        why = message.substring(colon + 1).strip();
      }
      if (option == null) {
        errors.reject("cohort.invalid", PREFIX + ": " + message);
        return;
      }
      String text = PREFIX + "." + dashed(option) + ": " + why;
      if ("secret".equals(option) || !hasProperty(option)) {
        // a global error: the analyzer would print a field's value, and a secret must never show
        errors.reject("cohort.invalid", text);
      } else {
        errors.rejectValue(option, "cohort.invalid", text);
      }
    }
  }

  private static boolean hasProperty(String name) {
    try {
      CohortProperties.class.getDeclaredField(name);
      return true;
    } catch (NoSuchFieldException e) {
      return false;
    }
  }

  static String dashed(String camel) {
    StringBuilder b = new StringBuilder();
    for (char c : camel.toCharArray()) {
      if (Character.isUpperCase(c)) {
        b.append('-').append(Character.toLowerCase(c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static void requireText(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          name + ": required — set it (unique per node) or the HOSTNAME environment variable");
    }
    if (!value.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException(
          name
              + ": '"
              + value
              + "' may use only letters, digits, '-' and '_' (it becomes the session id's route)");
    }
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + ": must be a positive duration (got " + d + ")");
    }
  }

  private static void requireRange(String name, int v, int min, int max) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(
          name + ": " + v + " is not between " + min + " and " + max);
    }
  }

  private void compileReplicationFilter() {
    compile("replicationFilter", replicationFilter, Pattern.CASE_INSENSITIVE);
  }

  private static void compile(String name, String regex, int flags) {
    if (regex == null) {
      return;
    }
    try {
      Pattern.compile(regex, flags);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          name + ": not a valid regular expression: " + e.getDescription(), e);
    }
  }

  private void checkAllowedClasses() {
    if (allowedClasses == null) {
      return;
    }
    for (String part : allowedClasses.split(",")) {
      String t = part.strip();
      if (!t.isEmpty()
          && !t.matches("[A-Za-z_$][A-Za-z0-9_$]*(\\.([A-Za-z_$][A-Za-z0-9_$]*|\\*|\\*\\*))*")) {
        throw new IllegalArgumentException(
            "allowedClasses: '" + t + "' is not a class name or package pattern (a.b.C, a.b.*)");
      }
    }
  }

  private void checkStore() {
    if (store == null || store.isBlank()) {
      return;
    }
    String lower = store.toLowerCase(Locale.ROOT);
    if (!(lower.startsWith("jdbc:") || lower.startsWith("file:"))) {
      throw new IllegalArgumentException(
          "store: '" + store.split(":", 2)[0] + ":...' is not a jdbc:URL or file:DIR spec");
    }
  }

  /** {@link #getNodeName()} or, when unset, HOSTNAME or the host's name. */
  String resolvedNodeName() {
    if (nodeName != null && !nodeName.isBlank()) {
      return nodeName;
    }
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        return null;
      }
    }
    host = host.strip();
    int dot = host.indexOf('.');
    return dot > 0 ? host.substring(0, dot) : host;
  }

  // ---- bean properties ----

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getNodeName() {
    return nodeName;
  }

  public void setNodeName(String nodeName) {
    this.nodeName = nodeName;
  }

  public String getMode() {
    return mode;
  }

  public void setMode(String mode) {
    this.mode = mode;
  }

  public int getBackups() {
    return backups;
  }

  public void setBackups(int backups) {
    this.backups = backups;
  }

  public boolean isSync() {
    return sync;
  }

  public void setSync(boolean sync) {
    this.sync = sync;
  }

  public Duration getSyncTimeout() {
    return syncTimeout;
  }

  public void setSyncTimeout(Duration syncTimeout) {
    this.syncTimeout = syncTimeout;
  }

  public String getDiscovery() {
    return discovery;
  }

  public void setDiscovery(String discovery) {
    this.discovery = discovery;
  }

  public String getBindAddress() {
    return bindAddress;
  }

  public void setBindAddress(String bindAddress) {
    this.bindAddress = bindAddress;
  }

  public int getPort() {
    return port;
  }

  public void setPort(int port) {
    this.port = port;
  }

  public int getPortRange() {
    return portRange;
  }

  public void setPortRange(int portRange) {
    this.portRange = portRange;
  }

  public String getClusterName() {
    return clusterName;
  }

  /** cohort.cluster-name, else the application's name, else "cohort". */
  String resolvedClusterName() {
    if (clusterName != null && !clusterName.isBlank()) {
      return clusterName;
    }
    return applicationName != null && !applicationName.isBlank() ? applicationName : "cohort";
  }

  /** spring.application.name, the cluster name's default (set by the auto-configuration). */
  void applicationName(String name) {
    this.applicationName = name;
  }

  public void setClusterName(String clusterName) {
    this.clusterName = clusterName;
  }

  public String getSecret() {
    return secret;
  }

  public void setSecret(String secret) {
    this.secret = secret;
  }

  public boolean isInsecure() {
    return insecure;
  }

  public void setInsecure(boolean insecure) {
    this.insecure = insecure;
  }

  public Duration getStateTransferTimeout() {
    return stateTransferTimeout;
  }

  public void setStateTransferTimeout(Duration stateTransferTimeout) {
    this.stateTransferTimeout = stateTransferTimeout;
  }

  public Duration getDrainTimeout() {
    return drainTimeout;
  }

  public void setDrainTimeout(Duration drainTimeout) {
    this.drainTimeout = drainTimeout;
  }

  public Duration getHeartbeat() {
    return heartbeat;
  }

  public void setHeartbeat(Duration heartbeat) {
    this.heartbeat = heartbeat;
  }

  public Duration getDropTime() {
    return dropTime;
  }

  public void setDropTime(Duration dropTime) {
    this.dropTime = dropTime;
  }

  public String getReplicationFilter() {
    return replicationFilter;
  }

  public void setReplicationFilter(String replicationFilter) {
    this.replicationFilter = replicationFilter;
  }

  public String getAllowedClasses() {
    return allowedClasses;
  }

  public void setAllowedClasses(String allowedClasses) {
    this.allowedClasses = allowedClasses;
  }

  public String getSessionAttributeNameFilter() {
    return sessionAttributeNameFilter;
  }

  public void setSessionAttributeNameFilter(String sessionAttributeNameFilter) {
    this.sessionAttributeNameFilter = sessionAttributeNameFilter;
  }

  public String getSessionAttributeValueClassNameFilter() {
    return sessionAttributeValueClassNameFilter;
  }

  public void setSessionAttributeValueClassNameFilter(String sessionAttributeValueClassNameFilter) {
    this.sessionAttributeValueClassNameFilter = sessionAttributeValueClassNameFilter;
  }

  public String getStore() {
    return store;
  }

  public void setStore(String store) {
    this.store = store;
  }

  public boolean isAdminEnabled() {
    return adminEnabled;
  }

  public int getAdminPort() {
    return adminPort;
  }

  public void setAdminPort(int adminPort) {
    this.adminPort = adminPort;
  }

  public String getAdminAddress() {
    return adminAddress;
  }

  public void setAdminAddress(String adminAddress) {
    this.adminAddress = adminAddress;
  }

  public String getSecretFile() {
    return secretFile;
  }

  public void setSecretFile(String secretFile) {
    this.secretFile = secretFile;
  }

  /** cohort.secret, or the first line of cohort.secret-file; null for none. */
  String resolvedSecret() {
    if (secretFile != null && !secretFile.isBlank()) {
      if (secret != null && !secret.isEmpty()) {
        throw new IllegalArgumentException(
            "secretFile: give either secret or secret-file, not both");
      }
      return Secrets.readFile("secretFile", Path.of(secretFile));
    }
    return secret == null || secret.isEmpty() ? null : secret;
  }

  public void setAdminEnabled(boolean adminEnabled) {
    this.adminEnabled = adminEnabled;
  }

  /** Never shows the secret. */
  @Override
  public String toString() {
    return "CohortProperties[nodeName="
        + resolvedNodeName()
        + ", mode="
        + mode
        + ", backups="
        + backups
        + ", sync="
        + sync
        + ", discovery="
        + discovery
        + ", bindAddress="
        + bindAddress
        + ", port="
        + port
        + ", clusterName="
        + clusterName
        + ", secret="
        + (secret == null || secret.isEmpty() ? "none" : "(set)")
        + "]";
  }
}
