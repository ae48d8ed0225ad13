package dev.cohort.store;

import dev.cohort.core.session.SessionRecord;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * The child process of {@link FileStoreCrashIT}: saves ever newer versions of a few sessions with a
 * large attribute until it is killed. Each version's bytes are derived from the version, so the
 * parent can check that whatever it finds is one whole version.
 */
public final class CrashingWriter {
  static final int SESSIONS = 4;
  static final int BIG = 3 * 1024 * 1024;

  private CrashingWriter() {}

  public static void main(String[] args) {
    FileStore store = FileStore.open(Path.of(args[0]));
    int max = Integer.parseInt(args[1]);
    for (int v = 1; v <= max; v++) {
      for (int s = 0; s < SESSIONS; s++) {
        store.save(recordFor("crash-" + s, v), Set.of(), Set.of(), true);
      }
      System.out.println("saved " + v);
      System.out.flush();
    }
  }

  static SessionRecord recordFor(String id, long version) {
    return new SessionRecord(
        id,
        version,
        Records.T0,
        Records.T0 + version,
        1800,
        false,
        null,
        null,
        Map.of(),
        Map.of("v", Records.bytes("" + version), "big", bigValue(version)));
  }

  static byte[] bigValue(long version) {
    byte[] b = new byte[BIG];
    Arrays.fill(b, (byte) version);
    return b;
  }
}
