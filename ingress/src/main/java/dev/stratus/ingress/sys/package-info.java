/** The broker's statistics as {@code $SYS/broker/...} topics, in the style of Mosquitto. */
package dev.stratus.ingress.sys;
