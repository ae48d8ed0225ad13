package dev.cohort.cli;

import dev.cohort.cli.balancer.BalancerCommand;
import dev.cohort.cli.chaos.ChaosCommand;
import dev.cohort.cli.demo.DemoCommand;
import dev.cohort.cli.farm.FarmCommand;
import dev.cohort.cli.migrate.MigrateCommand;
import dev.cohort.cli.node.NodeCommand;
import dev.cohort.cli.status.StatusCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cohort} command. Exit codes (DESIGN §6): 0 ok, 1 runtime failure, 2 bad usage or
 * configuration, with one line on stderr that names the option.
 */
@Command(
    name = "cohort",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Replicated, fail-over HTTP sessions for Tomcat clusters.",
    subcommands = {
      NodeCommand.class,
      BalancerCommand.class,
      DemoCommand.class,
      ChaosCommand.class,
      StatusCommand.class,
      FarmCommand.class,
      MigrateCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    Logging.configure();
    System.exit(run(args));
  }

  /** Runs one command line and returns its exit code (never calls {@code System.exit}). */
  public static int run(String... args) {
    return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler(
        (ex, a) -> {
          String sub = ex.getCommandLine().getCommandName();
          err.println(
              "cohort "
                  + sub
                  + ": "
                  + oneLine(ex.getMessage())
                  + " — see 'cohort "
                  + ("cohort".equals(sub) ? "" : sub + " ")
                  + "--help'");
          return USAGE;
        });
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          String sub = commandLine.getCommandName();
          if (ex instanceof IllegalArgumentException) {
            err.println("cohort " + sub + ": " + oneLine(ex.getMessage()));
            return USAGE;
          }
          err.println("cohort " + sub + " failed: " + oneLine(String.valueOf(ex)));
          if (Boolean.getBoolean("cohort.trace")) {
            ex.printStackTrace(err);
          }
          return FAILED;
        });
    try {
      ConfigFile.install(cli, args);
    } catch (IllegalArgumentException e) {
      err.println("cohort " + (args.length > 0 ? args[0] : "") + ": " + oneLine(e.getMessage()));
      return USAGE;
    }
    return cli.execute(args);
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The version from the jar's manifest, or "dev" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"cohort " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
