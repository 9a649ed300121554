/**
 * Where the engine keeps its tasks: {@link io.tes4j.store.TaskStore}, in memory by default, or in a
 * database (SQLite file, PostgreSQL) so that a restarted engine shows every task and re-attaches to
 * those that were running.
 */
package io.tes4j.store;
