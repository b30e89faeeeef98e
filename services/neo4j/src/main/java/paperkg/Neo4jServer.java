package paperkg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * A Neo4j 5 server for paperkg: the embedded database with its Bolt connector on
 * 127.0.0.1:PORT, authentication off, a small page cache.
 *
 * <p>Usage: {@code Neo4jServer [--port N] [--home DIR] [--pagecache-mb N]}; the port also comes
 * from PAPERKG_NEO4J_PORT (default 7687) and the home from PAPERKG_NEO4J_HOME (default: a temporary directory
 * deleted at exit). Prints {@code READY bolt://127.0.0.1:PORT} once Bolt accepts connections
 * and shuts the database down cleanly on SIGTERM/SIGINT, so a given home can be reused.
 */
public final class Neo4jServer {
    private Neo4jServer() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(envOr("PAPERKG_NEO4J_PORT", "7687"));
        String home = System.getenv("PAPERKG_NEO4J_HOME");
        long pageCacheMb = 64;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--home" -> home = args[++i];
                case "--pagecache-mb" -> pageCacheMb = Long.parseLong(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i]
                            + "; expected --port N, --home DIR, --pagecache-mb N");
                    System.exit(2);
                }
            }
        }
        boolean temporary = home == null || home.isEmpty();
        Path homeDir = temporary ? Files.createTempDirectory("paperkg-neo4j-") : Path.of(home);
        Files.createDirectories(homeDir);

        DatabaseManagementService service = new DatabaseManagementServiceBuilder(homeDir)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                // Bolt waits 5 s twice for idle worker threads at shutdown; a test server need not.
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time,
                        Duration.ofMillis(200))
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time,
                        Duration.ofMillis(200))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.shutdown();
                if (temporary) {
                    deleteTree(homeDir);
                }
            } finally {
                stopped.countDown();
                System.out.println("STOPPED");
                System.out.flush();
            }
        }, "paperkg-neo4j-shutdown"));

        // build() returns once the default database is available and Bolt is listening.
        service.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).executeTransactionally("RETURN 1");
        System.out.println("READY bolt://127.0.0.1:" + port + " home=" + homeDir);
        System.out.flush();
        stopped.await();
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + root + ": " + e);
        }
    }
}
