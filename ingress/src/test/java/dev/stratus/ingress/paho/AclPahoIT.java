package dev.stratus.ingress.paho;

import dev.stratus.ingress.broker.DropReason;
import dev.stratus.ingress.config.BrokerConfig;
import dev.stratus.ingress.paho.PahoClients.Recorder;
import dev.stratus.ingress.support.RawMqttClient;
import dev.stratus.ingress.support.TestBroker;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.stratus.ingress.paho.PahoClients.message;
import static dev.stratus.ingress.paho.PahoClients.options;
import static org.assertj.core.api.Assertions.assertThat;
import static dev.stratus.ingress.paho.PahoClients.await;

/**
 * Publish and subscribe authorization by ACL rules. MQTT 3.1.1 has no negative PUBACK: a publish the rules
 * deny is acknowledged as usual and dropped [MQTT-3.3.5-2].
 */
class AclPahoIT {

    private static final Duration QUIET = Duration.ofMillis(300);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static TestBroker broker;
    private static final Recorder watcher = new Recorder();
    private static MqttClient watcherClient;
    private final List<MqttClient> clients = new ArrayList<>();

    @BeforeAll
    static void startBroker() throws Exception {
        broker = TestBroker.start(BrokerConfig.forTests().withAuth(new BrokerConfig.Auth(true,
                Map.of("alice", "alice-pw", "bob", "bob-pw"),
                List.of(
                        "deny publish forbidden/#",
                        "allow publish ctl/# client=admin",
                        "deny publish ctl/#",
                        "allow publish users/%u/#",
                        "deny publish users/#",
                        "allow publish devices/%c/#",
                        "deny publish devices/#",
                        "allow subscribe private/# user=alice",
                        "deny subscribe private/#",
                        "allow subscribe $SYS/# client=sys-watcher"),
                true)));
        watcherClient = PahoClients.connect(broker, "watcher", true, watcher);
        int[] granted = watcherClient.subscribeWithResponse(new String[] {"forbidden/#", "ctl/#", "users/#", "devices/#", "open/#"},
                new int[] {2, 2, 2, 2, 2}).getGrantedQos();
        assertThat(granted).containsExactly(2, 2, 2, 2, 2);
    }

    @AfterAll
    static void stopBroker() {
        PahoClients.close(watcherClient);
        broker.close();
    }

    @BeforeEach
    void forgetWhatWasWatched() {
        watcher.messages.clear();
    }

    @AfterEach
    void tearDown() {
        clients.forEach(PahoClients::close);
    }

    private MqttClient connect(String clientId, String user, String password, Recorder recorder) throws Exception {
        MqttClient c = PahoClients.client(broker, clientId);
        clients.add(c);
        if (recorder != null) {
            c.setCallback(recorder);
        }
        MqttConnectOptions o = options(true);
        if (user != null) {
            o.setUserName(user);
        }
        if (password != null) {
            o.setPassword(password.toCharArray());
        }
        c.connect(o);
        return c;
    }

    private static long notAuthorized() {
        return broker.broker().stats().dropped(DropReason.NOT_AUTHORIZED);
    }

    /** Publishes a marker that is allowed, waits for it: everything published before it has been routed. */
    private void awaitMarker(MqttClient pub) throws Exception {
        pub.publish("open/marker", message("marker", 1, false));
        await().atMost(WAIT).until(() -> watcher.payloads().contains("marker"));
    }

    @Test
    @DisplayName("[MQTT-3.3.5-2] a denied publish is acknowledged (QoS 0, 1, 2), not delivered, and counted")
    void deniedPublishIsAcknowledgedDroppedAndCounted() throws Exception {
        MqttClient pub = connect("anon-pub", null, null, null);
        long before = notAuthorized();
        // QoS 1 returns at PUBACK, QoS 2 at PUBCOMP: Paho throws if they do not come
        pub.publish("forbidden/a", message("q0", 0, false));
        pub.publish("forbidden/a", message("q1", 1, false));
        pub.publish("forbidden/a", message("q2", 2, false));
        assertThat(pub.isConnected()).isTrue();

        awaitMarker(pub);
        assertThat(notAuthorized() - before).isEqualTo(3);
        assertThat(watcher.payloads()).containsExactly("marker");
    }

    @Test
    @DisplayName("[MQTT-3.3.5-2] [MQTT-4.7.2-1] clients may not publish to $SYS topics: acknowledged, dropped, counted")
    void publishToSysTopicIsDropped() throws Exception {
        Recorder sys = new Recorder();
        MqttClient sysWatcher = connect("sys-watcher", null, null, sys);
        sysWatcher.subscribe("$SYS/#", 1);
        long before = notAuthorized();
        sysWatcher.publish("$SYS/broker/uptime", message("forged", 1, false));

        assertThat(notAuthorized() - before).isEqualTo(1);
        await().during(QUIET).atMost(WAIT).until(() -> sys.count() == 0);
    }

    @Test
    @DisplayName("[MQTT-3.3.5-2] client= qualifier: only the named client may publish to ctl/#")
    void clientQualifierLimitsARuleToOneClient() throws Exception {
        MqttClient admin = connect("admin", null, null, null);
        MqttClient intruder = connect("intruder", null, null, null);
        long before = notAuthorized();
        admin.publish("ctl/reboot", message("by admin", 1, false));
        intruder.publish("ctl/reboot", message("by intruder", 1, false));

        awaitMarker(admin);
        assertThat(watcher.payloads()).containsExactly("by admin", "marker");
        assertThat(notAuthorized() - before).isEqualTo(1);
    }

    @Test
    @DisplayName("[MQTT-3.3.5-2] %u: a user may publish below users/<own name> only; an anonymous client not at all")
    void userNameSubstitutionAllowsOnlyTheOwnBranch() throws Exception {
        MqttClient alice = connect("alice-device", "alice", "alice-pw", null);
        MqttClient anonymous = connect("nobody", null, null, null);
        long before = notAuthorized();
        alice.publish("users/alice/status", message("alice own", 1, false));
        alice.publish("users/bob/status", message("alice as bob", 1, false));
        anonymous.publish("users/nobody/status", message("anonymous", 1, false));

        awaitMarker(alice);
        assertThat(watcher.payloads()).containsExactly("alice own", "marker");
        assertThat(notAuthorized() - before).isEqualTo(2);
    }

    @Test
    @DisplayName("[MQTT-3.3.5-2] %c: a client may publish below devices/<own client id> only")
    void clientIdSubstitutionAllowsOnlyTheOwnBranch() throws Exception {
        MqttClient device = connect("dev-1", null, null, null);
        long before = notAuthorized();
        device.publish("devices/dev-1/temp", message("own", 1, false));
        device.publish("devices/dev-2/temp", message("foreign", 1, false));

        awaitMarker(device);
        assertThat(watcher.payloads()).containsExactly("own", "marker");
        assertThat(notAuthorized() - before).isEqualTo(1);
    }

    @Test
    @DisplayName("[MQTT-3.3.5-2] a client id or user name with wildcards does not widen a %c / %u rule to other branches")
    void wildcardsInClientIdOrUserNameDoNotWidenSubstitutionRules() throws Exception {
        MqttClient plusClient = connect("+", null, null, null);
        MqttClient hashClient = connect("#", null, null, null);
        long before = notAuthorized();
        plusClient.publish("devices/dev-2/temp", message("forged by +", 1, false));
        hashClient.publish("devices/dev-2/temp", message("forged by #", 1, false));
        awaitMarker(plusClient);
        assertThat(watcher.payloads()).containsExactly("marker");
        assertThat(notAuthorized() - before).isEqualTo(2);

        // without configured users any user name is accepted, so the client chooses it: "+" must not become
        // a wildcard in "users/%u/#"
        try (TestBroker noUsers = TestBroker.start(BrokerConfig.forTests().withAuth(new BrokerConfig.Auth(true,
                Map.of(), List.of("allow publish users/%u/#", "deny publish users/#"), true)))) {
            Recorder alicesInbox = new Recorder();
            MqttClient alice = PahoClients.client(noUsers, "alice-inbox");
            MqttClient plusUser = PahoClients.client(noUsers, "wild-user");
            clients.add(alice);
            clients.add(plusUser);
            alice.setCallback(alicesInbox);
            MqttConnectOptions asAlice = options(true);
            asAlice.setUserName("alice");
            MqttConnectOptions asPlus = options(true);
            asPlus.setUserName("+");
            alice.connect(asAlice);
            plusUser.connect(asPlus);
            alice.subscribe("users/#", 1);
            plusUser.publish("users/alice/status", message("forged by user +", 1, false));
            alice.publish("users/alice/status", message("by alice", 1, false));
            await().atMost(WAIT).until(() -> alicesInbox.payloads().contains("by alice"));
            assertThat(alicesInbox.payloads()).containsExactly("by alice");
            assertThat(noUsers.broker().stats().dropped(DropReason.NOT_AUTHORIZED)).isEqualTo(1);
            PahoClients.close(alice, plusUser);
        }
    }

    @Test
    @DisplayName("[MQTT-3.9.3-2] user= qualifier: only alice may subscribe to private/#")
    void userQualifierLimitsASubscribeRuleToOneUser() throws Exception {
        MqttClient alice = connect("alice-reader", "alice", "alice-pw", null);
        MqttClient bob = connect("bob-reader", "bob", "bob-pw", null);
        assertThat(alice.subscribeWithResponse(new String[] {"private/diary"}, new int[] {1}).getGrantedQos())
                .containsExactly(1);
        assertThat(bob.subscribeWithResponse(new String[] {"private/diary"}, new int[] {1}).getGrantedQos())
                .containsExactly(0x80);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-8] a will the client may not publish is not published")
    void willToADeniedTopicIsNotPublished() throws Exception {
        long before = notAuthorized();
        RawMqttClient raw = RawMqttClient.connected(broker.tcpPort(), RawMqttClient.connectPacket("will-intruder")
                .will("ctl/shutdown", "sneaky".getBytes(StandardCharsets.UTF_8), 1, false));
        raw.abort();
        RawMqttClient allowed = RawMqttClient.connected(broker.tcpPort(), RawMqttClient.connectPacket("will-ok")
                .will("open/will", "legit".getBytes(StandardCharsets.UTF_8), 1, false));
        allowed.abort();

        await().atMost(WAIT).until(() -> watcher.payloads().contains("legit"));
        await().during(QUIET).atMost(WAIT).until(() -> watcher.count() == 1);
        assertThat(watcher.payloads()).containsExactly("legit");
        assertThat(notAuthorized()).isEqualTo(before);
    }
}
