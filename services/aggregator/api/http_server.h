// The dashboard's HTTP listener: cpp-httplib parses and routes requests, but
// connections are not held by a worker thread when nothing is being
// processed on them.
//
// cpp-httplib 0.11 (Debian 12) gives every connection a worker from its task
// queue for the connection's whole life: each open Server-Sent Events stream
// and each idle keep-alive connection holds one, and the queue behind the
// workers is unbounded. Its hooks allow three changes, made here:
//
//   * A bounded pool (`threads` workers, `queue` connections with a request
//     waiting for one). A request that arrives when the queue is full is
//     answered `503 Service Unavailable` + `Retry-After` by the event loop
//     and its connection closed; nothing waits without bound. httplib's
//     acceptor only decides (never blocks): park, queue or refuse.
//   * One event-loop thread (epoll, non-blocking sockets) owns every
//     connection that is not being processed: idle keep-alive connections
//     (and new ones whose request has not arrived) are parked there and go
//     back to the pool when bytes arrive; streams taken over by a handler
//     (TakeOver(): the SSE clients) are written by it, with a bounded buffer
//     per connection; refusals are written by it.
//   * Request size caps: the URL (414), the request line and headers (431),
//     the body (413). Each of these closes the connection.
//
// How: the server overrides httplib::Server::process_and_close_socket (a
// virtual member, the one httplib's own SSLServer overrides) and drives the
// connection with its own keep-alive loop and a socket Stream of its own,
// calling httplib's protected process_request for each request. The
// dashboard listener is plain HTTP, as it was on httplib (TLS ends at the
// ingress, deploy/); the takeover does not support TLS.
//
// Thread safety: register handlers on http() before Start(). Start, Stop,
// port, Adopt and Wake are safe from any thread; TakeOver only from a handler
// running on this server.
#ifndef JIT_SERVICES_AGGREGATOR_API_HTTP_SERVER_H_
#define JIT_SERVICES_AGGREGATOR_API_HTTP_SERVER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace httplib {
class Server;
}
namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
}  // namespace prometheus

namespace jit::aggregator::api {

// What the event loop writes on a taken-over connection (an SSE stream).
class ServerStream {
 public:
  virtual ~ServerStream() = default;
  // On the loop thread, after HttpServer::Wake(): appends the bytes to send
  // now to *out. False when the stream has ended: what was appended is sent,
  // then the connection is closed.
  virtual bool Pull(std::string* out) = 0;
  // The connection is gone (`reason`: "closed" by the peer, "overflow",
  // "stalled", "error", "ended", "shutdown"). Called once, with no lock of
  // the server held; the stream is never pulled again.
  virtual void Closed(absl::string_view reason) = 0;
};

// How a taken-over connection starts and stays alive.
struct StreamStart {
  std::string head = {};  // the status line and headers, sent as is
  bool chunked = true;  // frame what the stream gives as HTTP/1.1 chunks
  // Sent (framed) when the stream has sent nothing for `keep_alive`; empty:
  // nothing.
  std::string keep_alive_bytes = {};
  absl::Duration keep_alive = absl::Seconds(15);
};

struct HttpServerOptions {
  std::string host = "0.0.0.0";
  int port = 0;  // 0 picks a free port; read it back with port()
  // Workers: requests being processed (not idle connections, not streams).
  int threads = 16;
  // Connections ready to be processed waiting for a worker; past this they
  // are answered 503 + Retry-After.
  int queue = 128;
  int backlog = 1024;  // listen(2) backlog (httplib's own is 5)
  size_t max_url_bytes = 4096;      // the request target: 414 past it
  size_t max_header_bytes = 16384;  // request line + headers: 431 past it
  size_t max_body_bytes = 4096;     // 413 past it
  absl::Duration read_timeout = absl::Seconds(5);   // a request, once started
  absl::Duration write_timeout = absl::Seconds(5);  // a response
  // How long a connection may wait for its next (or first) request.
  absl::Duration keep_alive_timeout = absl::Seconds(5);
  int keep_alive_max_requests = 100;
  // Retry-After of the 503s.
  absl::Duration retry_after = absl::Seconds(1);
  // Taken-over streams: unsent bytes per connection past which the client
  // is dropped ("overflow"), and how long pending bytes may make no progress
  // before it is dropped ("stalled").
  size_t stream_buffer_bytes = 64 * 1024;
  absl::Duration stream_stall_timeout = absl::Seconds(30);
  // SO_SNDBUF of taken-over sockets (0: the kernel's, which grows to MiBs):
  // bounds the kernel memory a stalled client can pin.
  int stream_socket_send_buffer = 32 * 1024;
  // Headers of the responses the server writes itself (503, 413, 414, 431).
  std::vector<std::pair<std::string, std::string>> headers = {};
  prometheus::Registry* registry = nullptr;  // may be null
};

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Routes, default headers... Configure before Start().
  httplib::Server& http();

  // Binds and starts the listener, the workers and the event loop.
  // UNAVAILABLE naming the address if it cannot bind.
  absl::Status Start();
  // Stops accepting, finishes the requests in progress, ends every stream
  // (ServerStream::Closed("shutdown")) and closes every connection.
  // Idempotent.
  void Stop();
  int port() const { return port_.load(); }
  const HttpServerOptions& options() const { return options_; }

  // From a handler running on an HttpServer worker: after the handler
  // returns, httplib writes nothing to the connection (the response it was
  // given is discarded) and `adopt` receives the socket, whose owner it is
  // from then on. False (and nothing happens) anywhere else.
  static bool TakeOver(std::function<void(int fd)> adopt);
  // Hands a taken-over socket to the event loop: it writes `start.head`,
  // then what `stream` gives. When the server is stopped, the socket is
  // closed at once and stream->Closed("shutdown") called.
  void Adopt(int fd, StreamStart start, std::shared_ptr<ServerStream> stream);
  // Some stream has bytes to give: the event loop pulls every stream soon.
  // Cheap; never blocks.
  void Wake();

  // Connections the event loop holds: streams, parked (idle) ones.
  int streams() const { return streams_.load(); }
  int parked() const { return parked_.load(); }

 private:
  class Listener;
  class Loop;
  class Queue;
  friend class Listener;
  friend class Loop;
  friend class Queue;

  // Serves requests on `fd` while bytes are there; parks it when idle.
  void Serve(int fd, int remaining);
  // Back to a worker (a parked connection became readable). False when the
  // queue is full or stopped (the caller refuses or closes it).
  bool Resume(int fd, int remaining);
  std::string Refusal(int status, absl::string_view reason, bool retry) const;
  void CountRefusal(const char* reason);
  void CountDrop(const char* reason);

  const HttpServerOptions options_;
  std::unique_ptr<Listener> http_;
  std::unique_ptr<Loop> loop_;
  std::atomic<int> port_{0};
  std::atomic<int> streams_{0};
  std::atomic<int> parked_{0};

  absl::Mutex queue_mu_;
  Queue* queue_ ABSL_GUARDED_BY(queue_mu_) = nullptr;  // while listening

  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_ ABSL_GUARDED_BY(mu_);

  prometheus::Family<prometheus::Counter>* refused_ = nullptr;
  prometheus::Family<prometheus::Counter>* dropped_ = nullptr;
  std::unique_ptr<prometheus::Registry> owned_registry_;
};

}  // namespace jit::aggregator::api

#endif  // JIT_SERVICES_AGGREGATOR_API_HTTP_SERVER_H_
