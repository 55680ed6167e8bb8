package dev.stratus.router.bench;

import java.util.SplittableRandom;

/**
 * A deterministic IoT-like subscription mix for {@code n} subscriptions.
 *
 * <p>Topics are {@code t/site{s}/dev{d}/{sensor}} with {@code n/100} sites, 20 devices per site and 8
 * sensors, i.e. a space of 1.6·n topics. Subscriptions:
 * <ul>
 *   <li>80% exact filters: a random topic of the space;</li>
 *   <li>15% single-level wildcards, half {@code t/site3/+/temp}, half {@code t/site3/dev7/+};</li>
 *   <li>5% multi-level wildcards, half {@code t/site3/#}, half {@code t/site3/dev7/#}.</li>
 * </ul>
 * A random topic then matches about 4-5 subscriptions on average.
 */
final class Workload {

    static final String[] SENSORS = {"temp", "hum", "pres", "co2", "volt", "amp", "lux", "noise"};
    static final int DEVICES_PER_SITE = 20;

    final int sites;
    final String[] filters;
    final String[] subscribers;
    final String[] topics;

    Workload(int subscriptions, int topicCount, long seed) {
        sites = Math.max(10, subscriptions / 100);
        final SplittableRandom random = new SplittableRandom(seed);
        filters = new String[subscriptions];
        subscribers = new String[subscriptions];
        for (int i = 0; i < subscriptions; i++) {
            filters[i] = filter(random);
            subscribers[i] = "client-" + i;
        }
        topics = new String[topicCount];
        for (int i = 0; i < topicCount; i++) {
            topics[i] = topic(random);
        }
    }

    String filter(SplittableRandom random) {
        final int kind = random.nextInt(100);
        final int site = random.nextInt(sites);
        final int device = random.nextInt(DEVICES_PER_SITE);
        final String sensor = SENSORS[random.nextInt(SENSORS.length)];
        if (kind < 80) {
            return "t/site" + site + "/dev" + device + "/" + sensor;
        } else if (kind < 88) {
            return "t/site" + site + "/+/" + sensor;
        } else if (kind < 95) {
            return "t/site" + site + "/dev" + device + "/+";
        } else if (kind < 98) {
            return "t/site" + site + "/#";
        }
        return "t/site" + site + "/dev" + device + "/#";
    }

    String topic(SplittableRandom random) {
        return "t/site" + random.nextInt(sites) + "/dev" + random.nextInt(DEVICES_PER_SITE) + "/"
                + SENSORS[random.nextInt(SENSORS.length)];
    }
}
