package dev.cohort.cli.chaos;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** POSIX signals the JDK cannot send ({@code SIGSTOP}, {@code SIGCONT}), through {@code kill}. */
final class Signals {
  private Signals() {}

  static void send(String signal, long pid) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
            .redirectErrorStream(true)
            .start();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("kill -" + signal + " " + pid + " did not return in 10 s");
    }
    if (p.exitValue() != 0) {
      String out = new String(p.getInputStream().readAllBytes()).trim();
      throw new IOException("kill -" + signal + " " + pid + " failed: " + out);
    }
  }

  /** For clean-up paths: a failure (the process is already gone) is not an error there. */
  static void sendQuietly(String signal, long pid) throws InterruptedException {
    try {
      send(signal, pid);
    } catch (IOException e) {
      // the process has exited: nothing left to wake
    }
  }
}
