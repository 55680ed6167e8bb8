package dev.stratus.ingress.auth;

/** Decides what an authenticated client may publish and subscribe to. Called on event loops: must not block. */
public interface Authorizer {

    /** May the client publish to this topic name? */
    boolean canPublish(String clientId, String username, String topic);

    /** May the client subscribe to this topic filter? */
    boolean canSubscribe(String clientId, String username, String filter);

    Authorizer ALLOW_ALL = new Authorizer() {
        @Override
        public boolean canPublish(String clientId, String username, String topic) {
            return true;
        }

        @Override
        public boolean canSubscribe(String clientId, String username, String filter) {
            return true;
        }
    };
}
