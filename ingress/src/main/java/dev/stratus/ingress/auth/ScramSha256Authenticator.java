package dev.stratus.ingress.auth;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) as an MQTT 5 enhanced authentication method, for the static users of the
 * broker: the password never crosses the network, and the client learns that the server knows it too.
 * <ol>
 *   <li>CONNECT carries the client-first-message {@code n,,n=user,r=cnonce};</li>
 *   <li>AUTH 0x18 from the broker carries the server-first-message {@code r=cnonce+snonce,s=salt,i=4096};</li>
 *   <li>AUTH 0x18 from the client carries the client-final-message {@code c=biws,r=nonce,p=proof};</li>
 *   <li>CONNACK 0x00 (or AUTH 0x00 when re-authenticating) carries the server-final-message {@code v=signature}.</li>
 * </ol>
 * The salted password is derived once per user at start-up (PBKDF2, {@value #ITERATIONS} iterations); an
 * exchange then costs a few HMACs, cheap enough for an event loop. An unknown user goes through the same steps
 * with made-up keys and fails at the proof, so that the exchange does not reveal which users exist.
 */
public final class ScramSha256Authenticator implements EnhancedAuthenticator {

    public static final String METHOD = "SCRAM-SHA-256";
    static final int ITERATIONS = 4096;
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private record Keys(byte[] salt, byte[] storedKey, byte[] serverKey) {
    }

    private final Map<String, Keys> users = new HashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final byte[] unknownUserSecret = new byte[32];

    public ScramSha256Authenticator(Map<String, String> passwords) {
        random.nextBytes(unknownUserSecret);
        passwords.forEach((user, password) -> {
            byte[] salt = new byte[16];
            random.nextBytes(salt);
            users.put(user, keys(password, salt));
        });
    }

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public AuthExchange start(String clientId, String username) {
        return new Exchange();
    }

    /** One exchange: expects the client-first-message, then the client-final-message. */
    private final class Exchange implements AuthExchange {
        private int stage;
        private String user;
        private Keys keys;
        private String clientFirstBare;
        private String serverFirst;
        private String nonce;
        private boolean authenticated;

        @Override
        public CompletionStage<AuthStep> step(byte[] clientData) {
            AuthStep next;
            try {
                next = stage++ == 0 ? first(clientData) : stage == 2 ? last(clientData)
                        : AuthStep.failure("unexpected authentication step");
            } catch (RuntimeException e) {
                next = AuthStep.failure("malformed SCRAM message: " + e.getMessage());
            }
            return CompletableFuture.completedFuture(next);
        }

        private AuthStep first(byte[] data) {
            String msg = text(data);
            if (!msg.startsWith("n,,")) {
                return AuthStep.failure("SCRAM channel binding or authzid not supported");
            }
            clientFirstBare = msg.substring(3);
            Map<String, String> attrs = attributes(clientFirstBare);
            user = unescape(attrs.get("n"));
            String clientNonce = attrs.get("r");
            if (user == null || clientNonce == null || clientNonce.isEmpty()) {
                return AuthStep.failure("SCRAM client-first-message without user or nonce");
            }
            keys = users.get(user);
            if (keys == null) {
                keys = keys(B64.encodeToString(unknownUserSecret), hmac(unknownUserSecret, utf8(user)));
            }
            byte[] serverNonce = new byte[18];
            random.nextBytes(serverNonce);
            nonce = clientNonce + B64.encodeToString(serverNonce);
            serverFirst = "r=" + nonce + ",s=" + B64.encodeToString(keys.salt()) + ",i=" + ITERATIONS;
            return AuthStep.proceed(utf8(serverFirst));
        }

        private AuthStep last(byte[] data) {
            String msg = text(data);
            int proofAt = msg.lastIndexOf(",p=");
            if (proofAt < 0) {
                return AuthStep.failure("SCRAM client-final-message without proof");
            }
            String withoutProof = msg.substring(0, proofAt);
            Map<String, String> attrs = attributes(withoutProof);
            if (!"biws".equals(attrs.get("c")) || !nonce.equals(attrs.get("r"))) {
                return AuthStep.failure("SCRAM channel binding or nonce mismatch");
            }
            byte[] proof = B64D.decode(msg.substring(proofAt + 3));
            String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
            byte[] clientSignature = hmac(keys.storedKey(), utf8(authMessage));
            if (proof.length != clientSignature.length) {
                return AuthStep.failure("bad SCRAM proof");
            }
            byte[] clientKey = new byte[proof.length];
            for (int i = 0; i < proof.length; i++) {
                clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
            }
            if (!users.containsKey(user) || !MessageDigest.isEqual(sha256(clientKey), keys.storedKey())) {
                return AuthStep.failure("bad user name or password");
            }
            authenticated = true;
            return AuthStep.success(utf8("v=" + B64.encodeToString(hmac(keys.serverKey(), utf8(authMessage)))));
        }

        @Override
        public String authenticatedUser() {
            return authenticated ? user : null;
        }
    }

    private static Keys keys(String password, byte[] salt) {
        byte[] salted = pbkdf2(password, salt);
        byte[] clientKey = hmac(salted, utf8("Client Key"));
        return new Keys(salt, sha256(clientKey), hmac(salted, utf8("Server Key")));
    }

    /** {@code a=b,c=d} attributes of a SCRAM message (values may contain '='). */
    private static Map<String, String> attributes(String message) {
        Map<String, String> m = new HashMap<>();
        for (String part : message.split(",")) {
            if (part.length() >= 2 && part.charAt(1) == '=') {
                m.put(part.substring(0, 1), part.substring(2));
            }
        }
        return m;
    }

    /** RFC 5802 saslname: "=2C" is ',' and "=3D" is '='. */
    private static String unescape(String name) {
        return name == null ? null : name.replace("=2C", ",").replace("=3D", "=");
    }

    private static String text(byte[] data) {
        if (data == null) {
            throw new IllegalArgumentException("no Authentication Data");
        }
        return new String(data, StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] pbkdf2(String password, byte[] salt) {
        try {
            SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            return f.generateSecret(new PBEKeySpec(password.toCharArray(), salt, ITERATIONS, 256)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
