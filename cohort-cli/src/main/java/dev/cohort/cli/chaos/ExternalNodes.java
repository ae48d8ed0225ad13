package dev.cohort.cli.chaos;

import dev.cohort.cli.demo.Nodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Nodes of a cluster that chaos did not start (a running {@code cohort demo}), given by pid. Their
 * command lines are read from the OS before any fault, so a killed node can be started again the
 * same way; a restarted node outlives chaos (its output goes to {@code logDir}) and the demo finds
 * it by its cluster name when it stops.
 */
final class ExternalNodes implements Nodes {
  private record Node(String name, String url, String adminUrl, List<String> command) {}

  private final List<Node> nodes;
  private final List<ProcessHandle> handles = new ArrayList<>();
  private final Path logDir;

  private ExternalNodes(List<Node> nodes, List<ProcessHandle> handles, Path logDir) {
    this.nodes = List.copyOf(nodes);
    this.handles.addAll(handles);
    this.logDir = logDir;
  }

  /**
   * Reads each pid's command line; it must be a {@code cohort node} with --name and --http-port.
   */
  static ExternalNodes of(List<Long> pids, Path logDir) {
    List<Node> nodes = new ArrayList<>();
    List<ProcessHandle> handles = new ArrayList<>();
    for (long pid : pids) {
      ProcessHandle h =
          ProcessHandle.of(pid)
              .orElseThrow(
                  () -> new IllegalArgumentException("--nodes: no process with pid " + pid));
      String cmd = h.info().command().orElse(null);
      String[] args = h.info().arguments().orElse(null);
      if (cmd == null || args == null) {
        throw new IllegalArgumentException(
            "--nodes: cannot read the command line of pid " + pid + " — run chaos as its user");
      }
      List<String> a = Arrays.asList(args);
      String name = after(a, "--name");
      String port = after(a, "--http-port");
      if (!a.contains("node") || name == null || port == null) {
        throw new IllegalArgumentException(
            "--nodes: pid " + pid + " is not a 'cohort node --name N --http-port P' process");
      }
      String url = "http://" + host(after(a, "--http-bind")) + ":" + port;
      String adminPort = after(a, "--admin-port");
      if (adminPort == null || adminPort.equals("0")) {
        throw new IllegalArgumentException(
            "--nodes: pid "
                + pid
                + " runs without --admin-port: chaos reads each node's /cohort/status there"
                + " (the demo's nodes have one)");
      }
      String adminUrl = "http://" + host(after(a, "--admin-bind")) + ":" + adminPort;
      List<String> command = new ArrayList<>();
      command.add(cmd);
      command.addAll(a);
      nodes.add(new Node(name, url, adminUrl, command));
      handles.add(h);
    }
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("--nodes: give at least one pid");
    }
    return new ExternalNodes(nodes, handles, logDir);
  }

  private static String host(String bind) {
    return bind == null || bind.equals("0.0.0.0") ? "127.0.0.1" : bind;
  }

  private static String after(List<String> args, String option) {
    int i = args.indexOf(option);
    return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : null;
  }

  @Override
  public int size() {
    return nodes.size();
  }

  @Override
  public String name(int i) {
    return nodes.get(i).name();
  }

  @Override
  public String url(int i) {
    return nodes.get(i).url();
  }

  @Override
  public String adminUrl(int i) {
    return nodes.get(i).adminUrl();
  }

  @Override
  public synchronized void kill(int i) throws InterruptedException {
    ProcessHandle h = handles.get(i);
    h.destroyForcibly();
    await(h, 30);
  }

  @Override
  public synchronized boolean stop(int i) throws InterruptedException {
    ProcessHandle h = handles.get(i);
    h.destroy();
    if (await(h, 30)) {
      return true;
    }
    h.destroyForcibly();
    await(h, 30);
    return false;
  }

  private static boolean await(ProcessHandle h, int seconds) throws InterruptedException {
    try {
      h.onExit().get(seconds, TimeUnit.SECONDS);
      return true;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  @Override
  public synchronized void restart(int i) throws IOException {
    Node n = nodes.get(i);
    Files.createDirectories(logDir);
    ProcessBuilder pb =
        new ProcessBuilder(n.command())
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(logDir.resolve(n.name() + ".log").toFile()));
    pb.environment().put("COHORT_DEMO", "1");
    handles.set(i, pb.start().toHandle());
  }

  synchronized long pid(int i) {
    return handles.get(i).pid();
  }

  @Override
  public synchronized boolean isAlive(int i) {
    return handles.get(i).isAlive();
  }
}
