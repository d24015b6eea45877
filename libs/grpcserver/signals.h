// Shutdown signal handling for service mains.
//
//   int main(int argc, char** argv) {
//     jit::grpcserver::BlockShutdownSignals();  // before any thread starts
//     ... parse flags, start servers ...
//     const int sig = jit::grpcserver::WaitForShutdownSignal();
//     jit::log::Info("received {}, shutting down", strsignal(sig));
//     server.Shutdown();
//
// Blocking SIGINT/SIGTERM in the main thread before other threads exist makes
// every thread inherit the mask, so the signal stays pending until
// WaitForShutdownSignal() takes it with sigwait(): no async-signal-safety
// concerns, and shutdown runs as ordinary code on the main thread.
#ifndef JIT_LIBS_GRPCSERVER_SIGNALS_H_
#define JIT_LIBS_GRPCSERVER_SIGNALS_H_

namespace jit::grpcserver {

// Blocks SIGINT and SIGTERM in the calling thread (and the threads it starts
// afterwards). Call first thing in main.
void BlockShutdownSignals();

// Waits for SIGINT or SIGTERM (which must be blocked) and returns its number.
int WaitForShutdownSignal();

}  // namespace jit::grpcserver

#endif  // JIT_LIBS_GRPCSERVER_SIGNALS_H_
