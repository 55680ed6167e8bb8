package dev.stratus.state.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A real {@code redis-server} process for tests, bound to 127.0.0.1 on a free port, with persistence off.
 * <p>
 * The binary is, in order: the file named by the {@code STRATUS_REDIS_SERVER} environment variable, the
 * {@code redis-server} on the {@code PATH}, or the one shipped in {@code com.github.codemonstur:embedded-redis}
 * (test dependency), copied to a temporary directory. {@link #stop()} ends the server with SIGTERM,
 * {@link #kill()} with SIGKILL (a crash), and {@link #start()} after either starts it again on the same port, so
 * tests can check what clients do while Redis is gone and after it is back. Not thread-safe: one test drives it.
 */
public final class RedisServerProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Path workDir;
    private final Path binary;
    private final Thread killOnExit;
    private int port;
    private volatile Process process;

    private RedisServerProcess(Path workDir, Path binary) {
        this.workDir = workDir;
        this.binary = binary;
        // a test JVM that dies without close() must not leave a redis-server behind
        this.killOnExit = new Thread(() -> {
            Process running = process;
            if (running != null) {
                running.destroyForcibly();
            }
        }, "redis-server-reaper");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** Finds (or unpacks) the binary; call {@link #start()} to run it. */
    public static RedisServerProcess create() {
        try {
            Path workDir = Files.createTempDirectory("stratus-redis-");
            return new RedisServerProcess(workDir, findBinary(workDir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare redis-server", e);
        }
    }

    /** Starts the server: on a free port the first time, on the same port after {@link #stop} or {@link #kill}. */
    public RedisServerProcess start() {
        if (isRunning()) {
            throw new IllegalStateException("redis-server already runs on port " + port);
        }
        if (port == 0) {
            port = freePort();
        }
        List<String> command = List.of(binary.toString(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--protected-mode", "no",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", workDir.toString(),
                "--loglevel", "warning");
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("redis.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
        await("redis-server answering PING on port " + port)
                .atMost(START_TIMEOUT)
                .pollInterval(Duration.ofMillis(10))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("redis-server exited with " + process.exitValue()
                                + "; log: " + Files.readString(workDir.resolve("redis.log")));
                    }
                    return answersPing();
                });
        return this;
    }

    /** Ends the server gracefully (SIGTERM) and waits until it has exited. */
    public void stop() {
        end(false);
    }

    /** Ends the server at once (SIGKILL), as a crash would, and waits until it has exited. */
    public void kill() {
        end(true);
    }

    /** Freezes the server (SIGSTOP): connections stay open, nothing is answered, until {@link #resume()}. */
    public void pause() {
        signal("STOP");
    }

    /** Lets a {@link #pause() paused} server run again (SIGCONT). */
    public void resume() {
        signal("CONT");
    }

    /** {@link #kill()}, then {@link #start()} on the same port. */
    public void restart() {
        kill();
        start();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public int port() {
        if (port == 0) {
            throw new IllegalStateException("not started");
        }
        return port;
    }

    public String connectionString() {
        return "redis://127.0.0.1:" + port();
    }

    /** Stops the server and deletes its working directory (and the unpacked binary). */
    @Override
    public void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down
        }
        try (Stream<Path> files = Files.walk(workDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }

    private void end(boolean force) {
        if (process == null) {
            return;
        }
        if (force && process.isAlive()) {
            signal("CONT"); // a paused process would otherwise only die once continued
        }
        if (force) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping redis-server", e);
        }
        process = null;
    }

    private void signal(String signal) {
        if (!isRunning()) {
            throw new IllegalStateException("redis-server is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot signal redis-server", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling redis-server", e);
        }
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] reply = new byte[7];
            int read = socket.getInputStream().readNBytes(reply, 0, 7);
            return read == 7 && new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    private static Path findBinary(Path workDir) throws IOException {
        String configured = System.getenv("STRATUS_REDIS_SERVER");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(dir, "redis-server");
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        String resource = embeddedBinaryName();
        Path target = workDir.resolve("redis-server");
        try (InputStream in = RedisServerProcess.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("no redis-server on the PATH and no " + resource
                        + " on the class path: add com.github.codemonstur:embedded-redis (test scope)");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        if (!target.toFile().setExecutable(true)) {
            throw new IllegalStateException("cannot make " + target + " executable");
        }
        return target;
    }

    /** The binary embedded-redis 1.4.4 ships for this platform. */
    private static String embeddedBinaryName() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        boolean arm = arch.equals("aarch64") || arch.equals("arm64");
        if (os.contains("linux")) {
            return arm ? "redis-server-6.2.7-linux-arm64" : "redis-server-6.2.6-v5-linux-amd64";
        }
        if (os.contains("mac")) {
            return arm ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64";
        }
        throw new IllegalStateException("no embedded redis-server for " + os + "/" + arch
                + ": put redis-server on the PATH or set STRATUS_REDIS_SERVER");
    }
}
