package dev.cohort.tomcat.farm;

import dev.cohort.core.channel.Member;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;

/**
 * The receiving side of WAR streams: chunk 0 of a stream is the catalogue entry, the next chunks
 * the file, the end marker commits it into the {@link WarStore} (verified, atomic). Remembers per
 * application why its last transfer failed, and completes the futures of transfers this node asked
 * for. Chunks arrive on channel threads, one stream at a time per sender.
 */
final class WarReceiver {
  private static final Log log = LogFactory.getLog(WarReceiver.class);

  private final WarStore store;
  private final Map<String, Receiving> receiving = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Path>> awaited = new ConcurrentHashMap<>();
  private final Map<String, String> errors = new ConcurrentHashMap<>();

  private record Receiving(FarmApp app, WarStore.Incoming incoming) {}

  WarReceiver(WarStore store) {
    this.store = store;
  }

  /** The {@link dev.cohort.core.channel.BulkHandler} of the farm channel. */
  void onChunk(Member from, String topic, long streamId, long seq, byte[] chunk, boolean last)
      throws IOException {
    if (!FarmDeployer.TOPIC.equals(topic)) {
      return;
    }
    String key = from.id() + "/" + streamId;
    if (seq == 0) {
      FarmApp app = FarmCodec.decodeApp(chunk);
      try {
        receiving.put(key, new Receiving(app, store.begin(app.name(), app.size(), app.sha256())));
      } catch (WarRejectedException e) {
        rejected(app, e);
      }
      return;
    }
    Receiving r = receiving.get(key);
    if (r == null) {
      return;
    }
    try {
      if (!last) {
        r.incoming().write(chunk, 0, chunk.length);
        return;
      }
      receiving.remove(key);
      Path p = r.incoming().commit();
      r.incoming().close();
      errors.remove(r.app().name());
      CompletableFuture<Path> f = awaited.get(r.app().sha256());
      if (f != null) {
        f.complete(p);
      }
    } catch (WarRejectedException e) {
      receiving.remove(key);
      r.incoming().close();
      rejected(r.app(), e);
    }
  }

  private void rejected(FarmApp app, WarRejectedException e) {
    log.error("farm: " + e.getMessage());
    errors.put(app.name(), e.getMessage());
    CompletableFuture<Path> f = awaited.get(app.sha256());
    if (f != null) {
      f.completeExceptionally(e);
    }
  }

  /** A future completed when the WAR with digest {@code sha} is stored (or failed). */
  CompletableFuture<Path> expect(String sha) {
    return awaited.computeIfAbsent(sha, k -> new CompletableFuture<>());
  }

  void forget(String sha, CompletableFuture<Path> future) {
    awaited.remove(sha, future);
  }

  /** Why the last transfer of {@code name} failed, or null. */
  String error(String name) {
    return errors.get(name);
  }

  void failed(String name, String why) {
    errors.put(name, why);
  }

  void clearError(String name) {
    errors.remove(name);
  }

  /** Deletes what {@code member} was sending when it left. */
  void memberLeft(Member member) {
    String prefix = member.id() + "/";
    for (String k : receiving.keySet()) {
      if (k.startsWith(prefix)) {
        discard(receiving.remove(k));
      }
    }
  }

  void close() {
    for (String k : receiving.keySet()) {
      discard(receiving.remove(k));
    }
  }

  private static void discard(Receiving r) {
    if (r == null) {
      return;
    }
    try {
      r.incoming().close();
    } catch (IOException e) {
      log.debug("farm: deleting a half-received WAR failed: " + e);
    }
  }
}
