package dev.cohort.tomcat.farm;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;

/**
 * The farm directory as operators see it: {@code NAME.war} files. A file is taken when its size and
 * modification time did not change between two scans (a copy in progress is never read); it is
 * rolled out when its SHA-256 differs from the catalogue's. A taken file that disappears undeploys
 * the application everywhere. The copies this node writes itself ({@link #mirror}) are remembered,
 * so they are never taken for drops. Scans run on the farm thread; mirror and forget on any.
 */
final class WatchDir {
  private static final Log log = LogFactory.getLog(WatchDir.class);

  private final FarmDeployer farm;
  private final WarStore store;
  private final Map<String, Stamp> seen = new ConcurrentHashMap<>();
  private final Map<String, Stamp> taken = new ConcurrentHashMap<>();
  private final Set<String> badNames = ConcurrentHashMap.newKeySet();

  private record Stamp(long size, long modified) {}

  WatchDir(FarmDeployer farm, WarStore store) {
    this.farm = farm;
    this.store = store;
  }

  /** One scan; failures are logged (top boundary of the farm thread's scan task). */
  void scanSafely() {
    try {
      scan();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      log.error("farm: scanning " + store.dir() + " failed: " + e + " — the next scan retries", e);
    }
  }

  void scan() throws IOException, InterruptedException {
    Set<String> present = new HashSet<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(store.dir(), "*.war")) {
      for (Path f : files) {
        String file = f.getFileName().toString();
        String name = file.substring(0, file.length() - ".war".length());
        if (file.startsWith(".") || !Files.isRegularFile(f)) {
          continue;
        }
        try {
          FarmApp.checkName(name);
        } catch (IllegalArgumentException e) {
          if (badNames.add(name)) {
            log.warn("farm: ignoring " + f + ": " + e.getMessage());
          }
          continue;
        }
        present.add(name);
        Stamp now = stamp(f);
        if (now == null || now.equals(taken.get(name))) {
          continue;
        }
        Stamp before = seen.put(name, now);
        if (now.equals(before)) {
          taken.put(name, now);
          take(name, f);
        }
      }
    }
    for (String name : Set.copyOf(taken.keySet())) {
      if (!present.contains(name)) {
        taken.remove(name);
        seen.remove(name);
        FarmApp cur = farm.entry(name);
        if (cur != null && !cur.removed()) {
          log.info("farm: " + name + ".war left " + store.dir() + ": undeploying it everywhere");
          report(farm.remove(name));
        }
      }
    }
  }

  private void take(String name, Path file) throws IOException, InterruptedException {
    long size = Files.size(file);
    String sha = WarStore.sha256(file);
    FarmApp cur = farm.entry(name);
    if (cur != null && !cur.removed() && cur.sha256().equals(sha)) {
      return;
    }
    try (var in = Files.newInputStream(file)) {
      store.stage(in, name, size, sha);
    } catch (WarRejectedException e) {
      log.error("farm: " + file + " is not deployed: " + e.getMessage());
      return;
    }
    log.info("farm: " + file + " dropped (" + size + " bytes): rolling it out");
    report(farm.publish(name, sha, size));
  }

  private static void report(FarmDeployer.Rollout r) {
    if (r == null) {
      return;
    }
    r.results()
        .forEach(
            (node, result) -> {
              if (result.ok()) {
                log.info(
                    "farm: ["
                        + r.app().name()
                        + "] "
                        + r.app().version()
                        + " on "
                        + node
                        + ": "
                        + result.detail());
              } else {
                log.error(
                    "farm: ["
                        + r.app().name()
                        + "] "
                        + r.app().version()
                        + " on "
                        + node
                        + ": "
                        + result.detail());
              }
            });
  }

  /** Writes the watch copy of a version this node runs, and remembers it is not a drop. */
  void mirror(String name, Path war) {
    try {
      Path f = store.mirror(name, war);
      Stamp s = stamp(f);
      if (s != null) {
        taken.put(name, s);
        seen.put(name, s);
      }
    } catch (IOException e) {
      log.warn(
          "farm: writing "
              + store.watchFile(name)
              + " failed: "
              + e
              + " — the copy in the farm"
              + " directory is stale; the application itself is deployed");
    }
  }

  /** Deletes the watch copy of an application that was removed. */
  void forget(String name) {
    taken.remove(name);
    seen.remove(name);
    try {
      store.deleteWatchFile(name);
    } catch (IOException e) {
      log.warn(
          "farm: deleting " + store.watchFile(name) + " failed: " + e + " — delete it by hand");
    }
  }

  private static Stamp stamp(Path f) {
    try {
      BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
      return new Stamp(a.size(), a.lastModifiedTime().toMillis());
    } catch (IOException e) {
      return null;
    }
  }
}
