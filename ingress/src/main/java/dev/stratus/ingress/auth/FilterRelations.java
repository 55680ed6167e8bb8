package dev.stratus.ingress.auth;

/**
 * Set relations between two topic filters, level by level. Both arguments are valid filters.
 */
final class FilterRelations {

    private FilterRelations() {
    }

    /** True when every topic that {@code inner} matches is also matched by {@code outer}. */
    static boolean covers(String outer, String inner) {
        String[] o = outer.split("/", -1);
        String[] i = inner.split("/", -1);
        if (startsWithWildcard(o) && inner.startsWith("$")) {
            return false; // [MQTT-4.7.2-1]
        }
        for (int k = 0; k < o.length; k++) {
            if (o[k].equals("#")) {
                return true;
            }
            if (k >= i.length) {
                return false;
            }
            if (i[k].equals("#")) {
                return false;
            }
            if (o[k].equals("+")) {
                continue;
            }
            if (i[k].equals("+") || !o[k].equals(i[k])) {
                return false;
            }
        }
        return o.length == i.length;
    }

    /** True when some topic is matched by both filters. */
    static boolean overlaps(String a, String b) {
        String[] x = a.split("/", -1);
        String[] y = b.split("/", -1);
        boolean xDollarSafe = !startsWithWildcard(x);
        boolean yDollarSafe = !startsWithWildcard(y);
        if (!xDollarSafe && y[0].startsWith("$") || !yDollarSafe && x[0].startsWith("$")) {
            return false;
        }
        int n = Math.min(x.length, y.length);
        for (int k = 0; k < n; k++) {
            if (x[k].equals("#") || y[k].equals("#")) {
                return true;
            }
            if (!x[k].equals("+") && !y[k].equals("+") && !x[k].equals(y[k])) {
                return false;
            }
        }
        if (x.length == y.length) {
            return true;
        }
        // "a/#" also matches "a": a longer filter whose next level is '#' overlaps the shorter one
        String[] longer = x.length > y.length ? x : y;
        return longer.length == n + 1 && longer[n].equals("#");
    }

    private static boolean startsWithWildcard(String[] levels) {
        return levels[0].equals("+") || levels[0].equals("#");
    }
}
