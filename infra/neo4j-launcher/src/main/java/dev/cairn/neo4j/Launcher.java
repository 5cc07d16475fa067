package dev.cairn.neo4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;

/**
 * Runs Neo4j community embedded for Cairn's local stack.
 *
 * <p>Usage: {@code java -jar cairn-neo4j-launcher.jar <dataDir> <host> <port> [readyFile]}
 *
 * <p>Bolt listens on host:port with auth off (local development only). Once the default database
 * answers, the launcher writes its pid into readyFile, so the stack script knows it is usable.
 * SIGTERM runs the shutdown hook, which stops the database cleanly and removes the marker.
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: cairn-neo4j-launcher <dataDir> <host> <port> [readyFile]");
      System.exit(2);
    }
    Path home = Path.of(args[0]).toAbsolutePath();
    String host = args[1];
    int port = Integer.parseInt(args[2]);
    Path readyFile = args.length > 3 ? Path.of(args[3]).toAbsolutePath() : null;
    if (readyFile != null) {
      Files.deleteIfExists(readyFile);
    }
    Files.createDirectories(home);

    DatabaseManagementService dbms =
        new DatabaseManagementServiceBuilder(home)
            .setConfig(BoltConnector.enabled, true)
            .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
            .setConfig(BoltConnector.advertised_address, new SocketAddress(host, port))
            .setConfig(HttpConnector.enabled, false)
            .setConfig(GraphDatabaseSettings.auth_enabled, false)
            // Bolt's defaults wait ~15 s for idle threads and netty's quiet period on shutdown;
            // a local dev server should stop within the stack script's timeout instead.
            .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
            .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
            .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
            .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(2))
            .build();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("cairn-neo4j: stopping");
                  try {
                    if (readyFile != null) {
                      Files.deleteIfExists(readyFile);
                    }
                  } catch (IOException ignored) {
                    // The marker is only a hint; the stack script also checks the pid.
                  }
                  dbms.shutdown();
                  stopped.countDown();
                  System.out.println("cairn-neo4j: stopped");
                },
                "cairn-neo4j-shutdown"));

    GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
    while (!db.isAvailable(Duration.ofSeconds(5).toMillis())) {
      System.out.println("cairn-neo4j: waiting for the database to become available");
    }
    if (readyFile != null) {
      // Write then rename, so a reader never sees a half-written marker.
      Path tmp = readyFile.resolveSibling(readyFile.getFileName() + ".tmp");
      Files.writeString(tmp, Long.toString(ProcessHandle.current().pid()) + "\n");
      Files.move(tmp, readyFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
    System.out.println("cairn-neo4j: ready, bolt://" + host + ":" + port);
    stopped.await();
  }
}
