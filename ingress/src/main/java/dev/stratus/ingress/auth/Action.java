package dev.stratus.ingress.auth;

/** What an authorization rule governs. */
public enum Action {
    PUBLISH, SUBSCRIBE
}
