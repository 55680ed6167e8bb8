/** The broker. */
package dev.stratus.ingress;
