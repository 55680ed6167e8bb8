/** Topic names, topic filters and subscription matching. */
package dev.stratus.router;
