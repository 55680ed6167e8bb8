package dev.stratus.ingress.auth;

/**
 * What an {@link AuthExchange} answers.
 *
 * @param outcome     continue, success or failure
 * @param serverData  Authentication Data to send (with AUTH 0x18, or with the CONNACK/AUTH 0x00 of a success),
 *                    or null
 * @param reason      why it failed, for the log and the reason string; null otherwise
 */
public record AuthStep(Outcome outcome, byte[] serverData, String reason) {

    public enum Outcome { CONTINUE, SUCCESS, FAILURE }

    public static AuthStep proceed(byte[] serverData) {
        return new AuthStep(Outcome.CONTINUE, serverData, null);
    }

    public static AuthStep success(byte[] serverData) {
        return new AuthStep(Outcome.SUCCESS, serverData, null);
    }

    public static AuthStep failure(String reason) {
        return new AuthStep(Outcome.FAILURE, null, reason);
    }
}
