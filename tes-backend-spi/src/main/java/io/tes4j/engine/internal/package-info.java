/**
 * The engine's implementation: not API, may change in any release. {@link
 * io.tes4j.engine.internal.EngineCore} holds the state machine and admission, {@link
 * io.tes4j.engine.internal.TaskIds} makes ids, {@link io.tes4j.engine.internal.PageTokens} page
 * tokens; {@code StoreWrites} retries the store's writes and keeps in memory, then re-writes, what
 * the store did not take.
 */
package io.tes4j.engine.internal;
