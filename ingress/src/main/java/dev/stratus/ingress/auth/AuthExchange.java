package dev.stratus.ingress.auth;

import java.util.concurrent.CompletionStage;

/** One enhanced-authentication exchange: fed each Authentication Data the client sends, in order. */
public interface AuthExchange {

    /**
     * The next step, given the client's Authentication Data (null when it sent none).
     *
     * @return {@link AuthStep#proceed} to send data and wait for the client's answer (AUTH 0x18), {@link
     *         AuthStep#success} to accept, {@link AuthStep#failure} to refuse
     */
    CompletionStage<AuthStep> step(byte[] clientData);

    /** Who the client proved to be, once the exchange succeeded: the user name the authorizer sees. */
    String authenticatedUser();
}
