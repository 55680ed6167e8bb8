package dev.stratus.state.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A Lua script and its SHA-1, as {@code EVALSHA} needs it. {@link RedisCalls#eval} sends {@code EVALSHA} and
 * falls back to {@code EVAL} (which also caches the script) when the server answers {@code NOSCRIPT}, e.g. after
 * a restart or a failover. Scripts are used where several commands on one slot must be atomic; every key a
 * script touches is passed in {@code KEYS} and shares one hash tag, so they run on Redis Cluster too.
 */
record LuaScript(String name, String source, String sha1) {

    LuaScript {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(sha1, "sha1");
    }

    static LuaScript of(String name, String source) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            return new LuaScript(name, source, HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }
}
