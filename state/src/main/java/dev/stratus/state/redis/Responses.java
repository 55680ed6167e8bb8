package dev.stratus.state.redis;

import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Redis replies. Hash replies are only ever read from Lua scripts, which return them as flat arrays
 * whatever protocol (RESP2 or RESP3) the connection negotiated, so the stores never depend on it.
 */
final class Responses {

    private Responses() {
    }

    /** The elements of an array (or set) reply; empty for a nil reply. */
    static List<Response> elements(Response response) {
        if (response == null) {
            return List.of();
        }
        List<Response> elements = new ArrayList<>(response.size());
        for (Response element : response) {
            elements.add(element);
        }
        return elements;
    }

    static byte[] bytes(Response response) {
        return response == null ? null : response.toBytes();
    }

    static String string(Response response) {
        return response == null ? null : response.toString(StandardCharsets.UTF_8);
    }

    static long longValue(Response response) {
        return response == null ? 0 : response.toLong();
    }

    static boolean isOne(Response response) {
        return longValue(response) == 1;
    }
}
