/** Store contracts. */
package dev.stratus.state;
