package dev.cohort.cli.migrate;

import dev.cohort.tomcat.migrate.ServerXmlMigration;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cohort migrate server.xml}: prints, for every {@code <Cluster>} of a Tomcat server.xml,
 * the equivalent CohortCluster element, preceded by a comment that says what was carried over,
 * mapped or dropped, and why. Reads the file only; exit 0, or 2 when it cannot be read or is not
 * well-formed XML.
 */
@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the CohortCluster element equivalent to each <Cluster> of a Tomcat server.xml"
          + " (SimpleTcpCluster, or a CohortCluster still holding Tomcat's nested elements),"
          + " with a comment saying what was mapped or dropped and why."
    })
public final class MigrateCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SERVER_XML", description = "Tomcat's conf/server.xml")
  Path file;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    List<ServerXmlMigration.Migrated> clusters = ServerXmlMigration.of(file);
    PrintWriter out = spec.commandLine().getOut();
    if (clusters.isEmpty()) {
      out.println(
          "<!-- cohort migrate: "
              + file
              + " has no <Cluster> element: nothing to migrate. A <Manager> of"
              + " org.apache.catalina.ha.session in a context.xml needs only its package changed"
              + " to dev.cohort.tomcat -->");
    }
    for (int i = 0; i < clusters.size(); i++) {
      out.println((i == 0 ? "" : "\n") + clusters.get(i).render());
    }
    out.flush();
    return 0;
  }
}
