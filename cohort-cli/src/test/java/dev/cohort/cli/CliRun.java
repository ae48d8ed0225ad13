package dev.cohort.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One command line run in this JVM through {@link Main#run}: exit code, stdout and stderr. */
public record CliRun(int code, String out, String err) {
  public static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new CliRun(code, out.toString(), err.toString());
  }
}
