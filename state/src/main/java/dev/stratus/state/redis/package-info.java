/**
 * The Redis backend: every store on the plain Vert.x Redis client, non-blocking, built by
 * {@link dev.stratus.state.redis.RedisBackend#create}.
 * <p>
 * Key layout ({@link dev.stratus.state.redis.RedisKeys}): a session's keys share the hash tag
 * <code>{t:&lt;tenant&gt;:s:&lt;client&gt;}</code>, a tenant's session index and retained messages share
 * <code>{t:&lt;tenant&gt;}</code>, with {@code % { } :} escaped inside tags. Every multi-command change runs as a
 * Lua script on one slot ({@link dev.stratus.state.redis.LuaScript}: {@code EVALSHA}, {@code EVAL} on
 * {@code NOSCRIPT}), so the layout works on Redis Cluster as on a single Redis. Values use a versioned binary
 * encoding ({@link dev.stratus.state.redis.ValueCodec}), not Java serialization; nothing uses reflection.
 */
package dev.stratus.state.redis;
