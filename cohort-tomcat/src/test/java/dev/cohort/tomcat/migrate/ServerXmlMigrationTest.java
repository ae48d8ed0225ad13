package dev.cohort.tomcat.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.tomcat.CohortCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.tomcat.util.IntrospectionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules of {@code cohort migrate}; the documentation's examples are cohort-cli's tests. */
class ServerXmlMigrationTest {
  @TempDir Path dir;

  private List<ServerXmlMigration.Migrated> migrate(String engineChildren) throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("server.xml"),
            """
            <Server port="-1">
              <Service name="Catalina">
                <Engine name="Catalina" defaultHost="localhost">
            %s
                  <Host name="localhost" appBase="webapps"/>
                </Engine>
              </Service>
            </Server>
            """
                .formatted(engineChildren));
    return ServerXmlMigration.of(file);
  }

  @Test
  void halfMigrated_keepsCohortsAttributes_andDropsWhatContradictsThem() throws IOException {
    ServerXmlMigration.Migrated m =
        migrate(
                """
                <Cluster className="dev.cohort.tomcat.CohortCluster" mode="backup"
                         secretFile="conf/secret" channelSendOptions="6" mdoe="all">
                  <Manager className="org.apache.catalina.ha.session.DeltaManager"
                           stateTransferTimeout="30" sessionAttributeNameFilter="cart|user"
                           maxActiveSessions="1000"/>
                </Cluster>
                """)
            .get(0);

    assertThat(m.where()).startsWith("Server/Service[Catalina]/Engine[Catalina] of ");
    assertThat(attributes(m))
        .containsExactlyInAnyOrder(
            "className=dev.cohort.tomcat.CohortCluster",
            "mode=backup",
            "secretFile=conf/secret",
            "sync=true",
            "stateTransferTimeout=30000",
            "sessionAttributeNameFilter=cart|user");
    assertThat(m.notes())
        .contains(
            "dropped <Manager className=\"org.apache.catalina.ha.session.DeltaManager\">: would be"
                + " mode=\"all\", but mode=\"backup\" is set on <Cluster> and kept",
            "dropped mdoe=\"all\": neither a CohortCluster nor a SimpleTcpCluster attribute")
        .anyMatch(
            n -> n.startsWith("dropped <Manager> maxActiveSessions=\"1000\": not a <Cluster>"));
    assertAcceptedByCohortCluster(m);
  }

  @Test
  void staticMembers_becomeStaticDiscovery_evenBesideAMulticastMembership() throws IOException {
    ServerXmlMigration.Migrated m =
        migrate(
                """
                <Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster">
                  <Channel className="org.apache.catalina.tribes.group.GroupChannel">
                    <Membership className="org.apache.catalina.tribes.membership.McastService"
                                address="228.0.0.9" port="45600"/>
                    <Receiver className="org.apache.catalina.tribes.transport.nio.NioReceiver"
                              address="10.0.0.1" port="4100"/>
                    <Interceptor className="org.apache.catalina.tribes.group.interceptors.StaticMembershipInterceptor">
                      <Member className="org.apache.catalina.tribes.membership.StaticMember"
                              host="10.0.0.2" port="4100" uniqueId="{0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,2}"/>
                      <Member className="org.apache.catalina.tribes.membership.StaticMember"
                              host="10.0.0.3" port="4100" uniqueId="{0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,3}"/>
                    </Interceptor>
                    <Interceptor className="org.apache.catalina.tribes.group.interceptors.EncryptInterceptor"
                                 encryptionKey="cafebabecafebabecafebabecafebabe"/>
                  </Channel>
                </Cluster>
                """)
            .get(0);

    assertThat(attributes(m))
        .containsExactlyInAnyOrder(
            "className=dev.cohort.tomcat.CohortCluster",
            "bindAddress=10.0.0.1",
            "port=4100",
            "discovery=static:10.0.0.2:4100,10.0.0.3:4100");
    assertThat(m.notes())
        .anyMatch(n -> n.contains("list every member, this node included"))
        .anyMatch(n -> n.contains("EncryptInterceptor") && n.contains("secret or secretFile"))
        .noneMatch(n -> n.contains("cafebabe"))
        .noneMatch(n -> n.contains("228.0.0.9"));
    assertAcceptedByCohortCluster(m);
  }

  @Test
  void everyAttributeTheMigrationWrites_isOneCohortClusterTakes() throws IOException {
    ServerXmlMigration.Migrated m =
        migrate(
                """
                <Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster"
                         channelSendOptions="2" clusterName="shop">
                  <Manager className="org.apache.catalina.ha.session.BackupManager"
                           expireSessionsOnShutdown="true" stateTransferTimeout="20"
                           rpcTimeout="7000" sessionAttributeNameFilter="a"
                           sessionAttributeValueClassNameFilter="java\\.lang\\..*"
                           warnOnSessionAttributeFilterFailure="true"/>
                  <Channel className="org.apache.catalina.tribes.group.GroupChannel">
                    <Membership className="org.apache.catalina.tribes.membership.McastService"
                                port="45600" frequency="400" dropTime="2000"/>
                    <Receiver className="org.apache.catalina.tribes.transport.nio.NioReceiver"
                              address="10.0.0.1" port="4100" autoBind="10"/>
                  </Channel>
                  <Valve className="org.apache.catalina.ha.tcp.ReplicationValve" filter=".*\\.css"/>
                  <Listener className="org.apache.catalina.core.JreMemoryLeakPreventionListener"/>
                </Cluster>
                """)
            .get(0);

    assertThat(m.attributes().keySet())
        .containsExactlyInAnyOrder(
            "className",
            "clusterName",
            "sync",
            "mode",
            "expireSessionsOnShutdown",
            "stateTransferTimeout",
            "syncTimeout",
            "sessionAttributeNameFilter",
            "sessionAttributeValueClassNameFilter",
            "warnOnSessionAttributeFilterFailure",
            "discovery",
            "heartbeat",
            "dropTime",
            "bindAddress",
            "port",
            "portRange",
            "replicationFilter");
    assertThat(m.attributes()).containsEntry("discovery", "multicast:228.0.0.4:45600");
    assertThat(m.children())
        .containsExactly(
            "<Listener className=\"org.apache.catalina.core.JreMemoryLeakPreventionListener\"/>");
    assertAcceptedByCohortCluster(m);
  }

  @Test
  void aMulticastGroupOtherThanTheDefault_becomesDiscovery() throws IOException {
    ServerXmlMigration.Migrated m =
        migrate(
                """
                <Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster"
                         channelSendOptions="fast" channelStartOptions="3">
                  <Channel className="org.apache.catalina.tribes.group.GroupChannel">
                    <Membership className="org.apache.catalina.tribes.membership.McastService"
                                address="228.0.0.9"/>
                  </Channel>
                  <Manager className="dev.cohort.tomcat.DeltaManager"/>
                  <Deployer className="org.apache.catalina.ha.deploy.FarmWarDeployer"
                            watchDir="/srv/farm" watchEnabled="true"/>
                </Cluster>
                """)
            .get(0);

    assertThat(attributes(m))
        .containsExactlyInAnyOrder(
            "className=dev.cohort.tomcat.CohortCluster",
            "discovery=multicast:228.0.0.9:45564",
            "mode=all");
    assertThat(m.notes())
        .anyMatch(n -> n.startsWith("dropped channelSendOptions=\"fast\": channelSendOptions:"))
        .anyMatch(n -> n.startsWith("dropped channelStartOptions=\"3\":"))
        .anyMatch(n -> n.contains("Tomcat refuses Cohort's managers inside <Cluster>"))
        .anyMatch(n -> n.contains("farmDir=\"/srv/farm\" on every node"))
        .anyMatch(n -> n.startsWith("note    sync: Tomcat's default channelSendOptions was 8"));
    assertThat(m.attributes()).doesNotContainKey("farmDir");
  }

  @Test
  void render_isACommentThenTheElement_andNeverBreaksTheComment() throws IOException {
    ServerXmlMigration.Migrated m =
        migrate(
                """
                <Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster" odd="a--b"/>
                """)
            .get(0);
    String text = m.render();
    assertThat(text).startsWith("<!-- cohort migrate: <Cluster> in Server/Service[Catalina]");
    assertThat(text.substring(4, text.indexOf("-->"))).doesNotContain("--");
    assertThat(text).endsWith("-->\n<Cluster className=\"dev.cohort.tomcat.CohortCluster\"/>");
  }

  @Test
  void externalEntities_areNotRead() throws IOException {
    Path elsewhere = Files.writeString(dir.resolve("elsewhere.txt"), "<not xml at all");
    Path file =
        Files.writeString(
            dir.resolve("entity.xml"),
            """
            <?xml version="1.0"?>
            <!DOCTYPE Server [<!ENTITY elsewhere SYSTEM "%s">]>
            <Server><Service><Engine>&elsewhere;
              <Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster"/>
            </Engine></Service></Server>
            """
                .formatted(elsewhere.toUri()));

    // a parser that loads the entity fails on its content
    assertThat(ServerXmlMigration.of(file)).hasSize(1);
  }

  @Test
  void aFileWithoutCluster_migratesToNothing() throws IOException {
    assertThat(migrate("")).isEmpty();
  }

  @Test
  void unreadableOrMalformedFiles_areRefusedNamingTheFile() throws IOException {
    Path missing = dir.resolve("missing.xml");
    assertThatThrownBy(() -> ServerXmlMigration.of(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cannot read " + missing);
    Path broken =
        Files.writeString(dir.resolve("broken.xml"), "<Server>\n  <Service>\n</Server>\n");
    assertThatThrownBy(() -> ServerXmlMigration.of(broken))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(broken + " is not well-formed XML (line 3,");
  }

  private static List<String> attributes(ServerXmlMigration.Migrated m) {
    return m.attributes().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
  }

  /** Each attribute finds a setter on CohortCluster, as Tomcat's digester looks for it. */
  static void assertAcceptedByCohortCluster(ServerXmlMigration.Migrated m) {
    CohortCluster cluster = new CohortCluster();
    m.attributes().entrySet().stream()
        .filter(a -> !a.getKey().equals("className"))
        .forEach(
            a ->
                assertThat(IntrospectionUtils.setProperty(cluster, a.getKey(), a.getValue()))
                    .as("CohortCluster takes " + a.getKey())
                    .isTrue());
  }
}
