package dev.stratus.ingress.transport;

import dev.stratus.ingress.config.BrokerConfig.TlsConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import javax.net.ssl.KeyManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

/** Builds the server TLS context from PEM files or a PKCS#12 key store. */
final class TlsContexts {

    private TlsContexts() {
    }

    static SslContext serverContext(TlsConfig tls) {
        try {
            if (tls.keyStoreFile() != null) {
                char[] password = tls.keyStorePassword() == null ? new char[0] : tls.keyStorePassword().toCharArray();
                KeyStore store = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(tls.keyStoreFile())) {
                    store.load(in, password);
                }
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, password);
                return SslContextBuilder.forServer(kmf).build();
            }
            if (tls.certFile() != null && tls.keyFile() != null) {
                return SslContextBuilder.forServer(tls.certFile().toFile(), tls.keyFile().toFile()).build();
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the TLS certificate: " + e.getMessage(), e);
        }
        throw new IllegalStateException("TLS needs either stratus.tls.key-store-file or both stratus.tls.cert-file "
                + "and stratus.tls.key-file");
    }
}
