#include "services/aggregator/api/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "httplib.h"
#include "libs/log/log.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace jit::aggregator::api {
namespace {

int Millis(absl::Duration d) {
  if (d <= absl::ZeroDuration()) return 0;
  return static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(d) + 1, 1 << 30));
}

bool WaitFor(int fd, short events, absl::Duration timeout) {
  pollfd p{fd, events, 0};
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    const int r = ::poll(&p, 1, Millis(deadline - absl::Now()));
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) return false;
  }
}

bool ReadableNow(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

void SetNonBlocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

void CloseSocket(int fd) {
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
}

void IpAndPort(const sockaddr_storage& addr, std::string& ip, int& port) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &a->sin_addr, buf, sizeof(buf));
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof(buf));
    port = ntohs(a->sin6_port);
  }
  ip = buf;
}

// A connection's socket as httplib sees it while a worker processes it:
// buffered reads with the read timeout, whole writes with the write timeout,
// the request head counted against its cap, and writes swallowed once the
// connection is taken over or refused.
class ConnStream final : public httplib::Stream {
 public:
  ConnStream(int fd, const HttpServerOptions& options) : fd_(fd), options_(options) {}

  // A request (head and body) must arrive within the read timeout from here:
  // a client trickling bytes cannot hold a worker longer.
  void BeginRequest() {
    in_head_ = true;
    head_bytes_ = 0;
    crlf_state_ = 0;
    deadline_ = absl::Now() + options_.read_timeout;
  }
  void Swallow() { swallow_ = true; }
  bool too_large() const { return too_large_; }
  // A read timed out or met the end: the request was cut short.
  bool read_failed() const { return read_failed_; }
  size_t buffered() const { return len_ - off_; }

  bool is_readable() const override {
    return buffered() > 0 || WaitFor(fd_, POLLIN, deadline_ - absl::Now());
  }
  bool is_writable() const override { return WaitFor(fd_, POLLOUT, options_.write_timeout); }

  ssize_t read(char* ptr, size_t size) override {
    if (too_large_) return -1;
    if (buffered() == 0) {
      off_ = len_ = 0;
      while (true) {
        if (!WaitFor(fd_, POLLIN, deadline_ - absl::Now())) {
          read_failed_ = true;
          return -1;
        }
        const ssize_t n = ::recv(fd_, buf_.data(), buf_.size(), 0);
        if (n > 0) {
          len_ = static_cast<size_t>(n);
          break;
        }
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
          read_failed_ = true;
          return n == 0 ? 0 : -1;
        }
      }
    }
    size_t n = std::min(size, buffered());
    if (in_head_) {
      // Count the head up to its blank line (CRLF CRLF), byte by byte as
      // httplib reads it.
      for (size_t i = 0; i < n; ++i) {
        const char c = buf_[off_ + i];
        crlf_state_ = (c == (crlf_state_ % 2 == 0 ? '\r' : '\n')) ? crlf_state_ + 1
                      : c == '\r'                                   ? 1
                                                                    : 0;
        if (++head_bytes_ > options_.max_header_bytes) {
          too_large_ = true;
          swallow_ = true;
          return -1;
        }
        if (crlf_state_ == 4) {
          in_head_ = false;
          n = i + 1;
          break;
        }
      }
    }
    std::memcpy(ptr, buf_.data() + off_, n);
    off_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (swallow_) return static_cast<ssize_t>(size);
    return WriteRaw(ptr, size) ? static_cast<ssize_t>(size) : -1;
  }

  bool WriteRaw(const char* ptr, size_t size) {
    size_t done = 0;
    while (done < size) {
      const ssize_t n = ::send(fd_, ptr + done, size - done, MSG_NOSIGNAL);
      if (n > 0) {
        done += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        if (!WaitFor(fd_, POLLOUT, options_.write_timeout)) return false;
        continue;
      }
      return false;
    }
    return true;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      IpAndPort(addr, ip, port);
    }
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      IpAndPort(addr, ip, port);
    }
  }
  int socket() const override { return fd_; }

 private:
  const int fd_;
  const HttpServerOptions& options_;
  std::array<char, 4096> buf_{};
  size_t off_ = 0, len_ = 0;
  bool in_head_ = true;
  size_t head_bytes_ = 0;
  int crlf_state_ = 0;
  absl::Time deadline_ = absl::InfiniteFuture();
  bool too_large_ = false;
  bool read_failed_ = false;
  bool swallow_ = false;
};

// The request being processed on this thread (TakeOver's target).
struct Exchange {
  ConnStream* stream = nullptr;
  std::function<void(int)> adopt;
  bool close = false;  // refused: close after the answer
};
thread_local Exchange* t_exchange = nullptr;

}  // namespace

// httplib's server with the connection handling replaced (see the header).
class HttpServer::Listener final : public httplib::Server {
 public:
  explicit Listener(HttpServer* owner) : owner_(owner) {}
  bool Process(httplib::Stream& strm, bool close_connection, bool& connection_closed) {
    return process_request(strm, close_connection, connection_closed, nullptr);
  }
  bool stopping() const { return svr_sock_ == INVALID_SOCKET; }
  void Relisten(int backlog) {
    if (svr_sock_ != INVALID_SOCKET) ::listen(svr_sock_, backlog);
  }

 private:
  bool process_and_close_socket(int sock) override;

  HttpServer* const owner_;
};

// A fixed pool of workers behind a bounded queue. httplib's acceptor hands
// every accepted connection to enqueue(), which runs it inline (see
// Listener::process_and_close_socket); work reaches the workers only through
// TryEnqueue, which refuses when the queue is full.
class HttpServer::Queue final : public httplib::TaskQueue {
 public:
  Queue(HttpServer* owner, int threads, int capacity) : owner_(owner), capacity_(capacity) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
  }

  void enqueue(std::function<void()> fn) override { fn(); }

  bool TryEnqueue(std::function<void()>& fn) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (shutdown_ || jobs_.size() >= static_cast<size_t>(capacity_)) return false;
      jobs_.push_back(std::move(fn));
    }
    cv_.notify_one();
    return true;
  }

  void shutdown() override {
    {
      absl::MutexLock lock(&owner_->queue_mu_);
      if (owner_->queue_ == this) owner_->queue_ = nullptr;
    }
    {
      std::unique_lock<std::mutex> lock(mu_);
      shutdown_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

 private:
  void Work() {
    while (true) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return shutdown_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // shut down and drained
        fn = std::move(jobs_.front());
        jobs_.pop_front();
      }
      fn();
    }
  }

  HttpServer* const owner_;
  const int capacity_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool shutdown_ = false;
  std::vector<std::thread> threads_;
};

// The event loop: one thread, epoll over non-blocking sockets.
class HttpServer::Loop {
 public:
  explicit Loop(HttpServer* owner) : owner_(owner) {}
  ~Loop() {
    Stop();
    // Closed only here: a late Wake() must never write to a reused fd.
    if (epfd_ >= 0) ::close(epfd_);
    if (evfd_ >= 0) ::close(evfd_);
  }

  absl::Status Start() {
    epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
    evfd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epfd_ < 0 || evfd_ < 0) return absl::InternalError("epoll/eventfd: cannot create");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = evfd_;
    ::epoll_ctl(epfd_, EPOLL_CTL_ADD, evfd_, &ev);
    thread_ = std::thread([this] { Run(); });
    return absl::OkStatus();
  }

  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    Wake();
    if (thread_.joinable()) thread_.join();
  }

  void Refuse(int fd, std::string response) {
    Add(Incoming{fd, Kind::kRefusal, 0, Written(std::move(response)), nullptr});
  }
  void Park(int fd, int remaining) {
    Add(Incoming{fd, Kind::kParked, remaining, StreamStart{}, nullptr});
  }
  void Adopt(int fd, StreamStart start, std::shared_ptr<ServerStream> stream) {
    Add(Incoming{fd, Kind::kStream, 0, std::move(start), std::move(stream)});
  }
  void Wake() {
    if (evfd_ < 0) return;
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(evfd_, &one, sizeof(one));
  }

 private:
  enum class Kind { kStream, kParked, kRefusal };
  // A refusal: `response` written as is, then the connection closed.
  static StreamStart Written(std::string response) {
    StreamStart start;
    start.head = std::move(response);
    start.chunked = false;
    return start;
  }
  struct Incoming {
    int fd;
    Kind kind;
    int remaining;
    StreamStart start;
    std::shared_ptr<ServerStream> stream;
  };
  struct Conn {
    int fd = -1;
    Kind kind = Kind::kParked;
    int remaining = 0;
    StreamStart start;
    std::shared_ptr<ServerStream> stream;
    std::string out;
    size_t sent = 0;
    bool want_out = false;   // EPOLLOUT registered
    bool ending = false;     // send what is left, then close
    bool lingering = false;  // sent all and shut down writing; read to EOF
    size_t bytes_in = 0;
    absl::Time deadline = absl::InfiniteFuture();  // parked / lingering
    absl::Time last_progress;
    absl::Time last_write;
    const char* dead = nullptr;  // why it is to be closed
    size_t pending() const { return out.size() - sent; }
  };

  void Add(Incoming in) {
    {
      absl::MutexLock lock(&mu_);
      if (!stopping_) {
        incoming_.push_back(std::move(in));
        in.fd = -1;
      }
    }
    if (in.fd >= 0) {  // stopped: close at once
      CloseSocket(in.fd);
      if (in.stream != nullptr) in.stream->Closed("shutdown");
      return;
    }
    Wake();
  }

  void Interest(Conn& c, bool out) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | (out ? static_cast<uint32_t>(EPOLLOUT) : 0u);
    ev.data.fd = c.fd;
    ::epoll_ctl(epfd_, EPOLL_CTL_MOD, c.fd, &ev);
    c.want_out = out;
  }

  void Append(Conn& c, absl::string_view data, absl::Time now) {
    if (data.empty() || c.dead != nullptr) return;
    std::string framed = c.start.chunked && c.kind == Kind::kStream
                             ? absl::StrCat(absl::Hex(data.size()), "\r\n", data, "\r\n")
                             : std::string(data);
    if (c.pending() + framed.size() > owner_->options_.stream_buffer_bytes) {
      c.dead = "overflow";
      return;
    }
    if (c.sent > 0 && c.sent == c.out.size()) {
      c.out.clear();
      c.sent = 0;
    }
    c.out += framed;
    c.last_write = now;
  }

  void Flush(Conn& c, absl::Time now) {
    while (c.dead == nullptr && c.pending() > 0) {
      const ssize_t n = ::send(c.fd, c.out.data() + c.sent, c.pending(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        c.sent += static_cast<size_t>(n);
        c.last_progress = now;
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
      c.dead = "error";
      return;
    }
    if (c.dead != nullptr) return;
    if (c.pending() == 0) {
      c.out.clear();
      c.sent = 0;
      if (c.want_out) Interest(c, false);
      if (c.ending && !c.lingering) {
        ::shutdown(c.fd, SHUT_WR);
        c.lingering = true;
        c.deadline = now + absl::Seconds(2);
      }
    } else {
      if (!c.want_out) Interest(c, true);
      // Compact once most of the buffer is sent.
      if (c.sent > c.out.size() / 2) {
        c.out.erase(0, c.sent);
        c.sent = 0;
      }
    }
  }

  void Readable(Conn& c) {
    std::array<char, 4096> scratch;
    while (true) {
      const ssize_t n = ::recv(c.fd, scratch.data(), scratch.size(), MSG_DONTWAIT);
      if (n > 0) {
        c.bytes_in += static_cast<size_t>(n);
        // A stream's client has nothing to say; one that keeps talking is
        // dropped.
        if (c.bytes_in > 64 * 1024) {
          c.dead = "error";
          return;
        }
        continue;
      }
      if (n == 0) {
        c.dead = c.lingering || c.kind == Kind::kRefusal ? "ended" : "closed";
        return;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR) continue;
      c.dead = "error";
      return;
    }
  }

  void Event(Conn& c, uint32_t events, absl::Time now) {
    if (c.kind == Kind::kParked) {
      // Bytes (or the peer's close): back to a worker, which reads them.
      ::epoll_ctl(epfd_, EPOLL_CTL_DEL, c.fd, nullptr);
      owner_->parked_.fetch_sub(1);
      const int fd = c.fd, remaining = c.remaining;
      c.fd = -1;
      c.dead = "resumed";
      if (!owner_->Resume(fd, remaining)) {
        owner_->CountRefusal("overloaded");
        to_refuse_.push_back(fd);
      }
      return;
    }
    if (events & EPOLLIN) Readable(c);
    if (c.dead == nullptr && (events & (EPOLLERR | EPOLLHUP))) c.dead = "closed";
    if (c.dead == nullptr && (events & EPOLLOUT)) Flush(c, now);
  }

  void Register(Incoming in, absl::Time now) {
    Conn c;
    c.fd = in.fd;
    c.kind = in.kind;
    c.remaining = in.remaining;
    c.start = std::move(in.start);
    c.stream = std::move(in.stream);
    c.last_progress = c.last_write = now;
    if (c.kind == Kind::kParked) {
      c.deadline = now + owner_->options_.keep_alive_timeout;
      owner_->parked_.fetch_add(1);
    }
    if (c.kind == Kind::kStream && owner_->options_.stream_socket_send_buffer > 0) {
      const int size = owner_->options_.stream_socket_send_buffer;
      ::setsockopt(c.fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = c.fd;
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, c.fd, &ev) != 0) {
      if (c.kind == Kind::kParked) owner_->parked_.fetch_sub(1);
      CloseSocket(c.fd);
      if (c.stream != nullptr) c.stream->Closed("error");
      return;
    }
    if (c.kind == Kind::kRefusal) {
      c.out = std::move(c.start.head);
      c.ending = true;
      c.deadline = now + owner_->options_.write_timeout;
    } else if (c.kind == Kind::kStream) {
      owner_->streams_.fetch_add(1);
      c.out = c.start.head;  // not framed
      c.last_write = now;
    }
    const int fd = c.fd;
    Conn& placed = conns_[fd] = std::move(c);
    if (placed.kind != Kind::kParked) Flush(placed, now);
  }

  // Every stream gives what it has.
  void PullAll(absl::Time now) {
    std::string chunk;
    for (auto& [fd, c] : conns_) {
      if (c.kind != Kind::kStream || c.dead != nullptr || c.ending) continue;
      chunk.clear();
      const bool more = c.stream->Pull(&chunk);
      Append(c, chunk, now);
      if (!more && c.dead == nullptr) {
        if (c.start.chunked) {
          c.out += "0\r\n\r\n";
        }
        c.ending = true;
      }
      Flush(c, now);
    }
  }

  void Timers(absl::Time now) {
    for (auto& [fd, c] : conns_) {
      if (c.dead != nullptr) continue;
      if (now >= c.deadline) {
        c.dead = c.kind == Kind::kParked ? "idle" : "ended";
        continue;
      }
      if (c.kind != Kind::kStream || c.ending) continue;
      if (c.pending() > 0 && now - c.last_progress >= owner_->options_.stream_stall_timeout) {
        c.dead = "stalled";
        continue;
      }
      if (!c.start.keep_alive_bytes.empty() && now - c.last_write >= c.start.keep_alive) {
        Append(c, c.start.keep_alive_bytes, now);
        Flush(c, now);
      }
    }
  }

  absl::Time NextTimer(absl::Time now) const {
    absl::Time next = now + absl::Seconds(1);
    for (const auto& [fd, c] : conns_) {
      next = std::min(next, c.deadline);
      if (c.kind == Kind::kStream && !c.ending) {
        if (!c.start.keep_alive_bytes.empty()) next = std::min(next, c.last_write + c.start.keep_alive);
        if (c.pending() > 0) {
          next = std::min(next, c.last_progress + owner_->options_.stream_stall_timeout);
        }
      }
    }
    return next;
  }

  // Closes the connections marked dead (streams learn why).
  void Sweep() {
    std::vector<std::pair<std::shared_ptr<ServerStream>, const char*>> closed;
    for (auto it = conns_.begin(); it != conns_.end();) {
      Conn& c = it->second;
      if (c.dead == nullptr) {
        ++it;
        continue;
      }
      if (c.fd >= 0) {
        ::epoll_ctl(epfd_, EPOLL_CTL_DEL, c.fd, nullptr);
        CloseSocket(c.fd);
        if (c.kind == Kind::kParked) owner_->parked_.fetch_sub(1);
      }
      if (c.kind == Kind::kStream) {
        owner_->streams_.fetch_sub(1);
        const std::string reason = c.dead;
        if (reason == "overflow" || reason == "stalled") owner_->CountDrop(c.dead);
        closed.emplace_back(std::move(c.stream), c.dead);
      }
      it = conns_.erase(it);
    }
    for (auto& [stream, reason] : closed) stream->Closed(reason);
  }

  void Run() {
    std::array<epoll_event, 256> events;
    while (true) {
      absl::Time now = absl::Now();
      const int n = ::epoll_wait(epfd_, events.data(), static_cast<int>(events.size()),
                                 Millis(NextTimer(now) - now));
      now = absl::Now();
      bool pull = false;
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == evfd_) {
          uint64_t count;
          while (::read(evfd_, &count, sizeof(count)) > 0) {
          }
          pull = true;
          continue;
        }
        auto it = conns_.find(fd);
        if (it == conns_.end() || it->second.dead != nullptr) continue;
        Event(it->second, events[i].events, now);
      }
      std::vector<Incoming> incoming;
      bool stopping;
      {
        absl::MutexLock lock(&mu_);
        incoming.swap(incoming_);
        stopping = stopping_;
      }
      // A parked connection resumed on this pass whose fd number was reused
      // by a new one must leave the table first.
      Sweep();
      for (Incoming& in : incoming) Register(std::move(in), now);
      for (int fd : to_refuse_) {
        Register(Incoming{fd, Kind::kRefusal, 0,
                          Written(owner_->Refusal(503, "the dashboard server is busy", true)),
                          nullptr},
                 now);
      }
      to_refuse_.clear();
      if (stopping) {
        CloseAll();
        return;
      }
      if (pull || !incoming.empty()) PullAll(now);
      Timers(now);
      Sweep();
    }
  }

  void CloseAll() {
    const absl::Time now = absl::Now();
    for (auto& [fd, c] : conns_) {
      if (c.dead != nullptr || c.kind != Kind::kStream) continue;
      if (c.start.chunked && !c.ending) c.out += "0\r\n\r\n";
      Flush(c, now);  // what fits now; no waiting
    }
    for (auto& [fd, c] : conns_) {
      if (c.dead == nullptr) c.dead = "shutdown";
    }
    Sweep();
  }

  HttpServer* const owner_;
  int epfd_ = -1;
  int evfd_ = -1;
  std::thread thread_;
  absl::Mutex mu_;
  std::vector<Incoming> incoming_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Loop thread only.
  std::unordered_map<int, Conn> conns_;
  std::vector<int> to_refuse_;
};

// Runs on httplib's acceptor thread (Queue::enqueue runs the job inline):
// never blocks. A connection with nothing to read yet waits in the event
// loop; one with a request goes to the workers, or is refused when their
// queue is full.
bool HttpServer::Listener::process_and_close_socket(int sock) {
  SetNonBlocking(sock);
  const int requests = owner_->options_.keep_alive_max_requests;
  if (!ReadableNow(sock)) {
    owner_->loop_->Park(sock, requests);
  } else if (!owner_->Resume(sock, requests)) {
    owner_->CountRefusal("overloaded");
    owner_->loop_->Refuse(sock, owner_->Refusal(503, "the dashboard server is busy", true));
  }
  return true;
}

HttpServer::HttpServer(HttpServerOptions options)
    : options_(std::move(options)),
      http_(std::make_unique<Listener>(this)),
      loop_(std::make_unique<Loop>(this)) {
  prometheus::Registry* registry = options_.registry;
  if (registry == nullptr) {
    owned_registry_ = std::make_unique<prometheus::Registry>();
    registry = owned_registry_.get();
  }
  refused_ = &prometheus::BuildCounter()
                  .Name("jit_aggregator_http_refused_total")
                  .Help("Dashboard HTTP connections or requests refused, by reason (overloaded: 503 "
                        "with Retry-After, the workers' queue was full; too_large: 413/414/431)")
                  .Register(*registry);
  refused_->Add({{"reason", "overloaded"}});
  refused_->Add({{"reason", "too_large"}});
  dropped_ = &prometheus::BuildCounter()
                  .Name("jit_aggregator_sse_dropped_total")
                  .Help("SSE clients dropped for not reading (overflow: buffer full; stalled: no "
                        "progress)")
                  .Register(*registry);
  dropped_->Add({{"reason", "overflow"}});
  dropped_->Add({{"reason", "stalled"}});

  const int threads = std::max(1, options_.threads);
  const int capacity = std::max(1, options_.queue);
  http_->new_task_queue = [this, threads, capacity]() -> httplib::TaskQueue* {
    auto* q = new Queue(this, threads, capacity);
    absl::MutexLock lock(&queue_mu_);
    queue_ = q;
    return q;
  };
  http_->set_keep_alive_max_count(static_cast<size_t>(std::max(1, options_.keep_alive_max_requests)));
  http_->set_payload_max_length(options_.max_body_bytes);
  http_->set_read_timeout(std::chrono::milliseconds(absl::ToInt64Milliseconds(options_.read_timeout)));
  http_->set_write_timeout(
      std::chrono::milliseconds(absl::ToInt64Milliseconds(options_.write_timeout)));
  // httplib's default sets SO_REUSEPORT, which lets a second process share
  // the port silently; SO_REUSEADDR alone keeps quick restarts.
  http_->set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // The URL and body caps, before httplib reads a body (it would otherwise
  // read and discard an oversized one on a worker).
  http_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    std::string message;
    if (req.target.size() > options_.max_url_bytes) {
      res.status = 414;
      message = absl::StrCat("the URL is longer than ", options_.max_url_bytes, " bytes");
    } else if (req.get_header_value_count("Content-Length") > 1 ||
               req.get_header_value<uint64_t>("Content-Length") > options_.max_body_bytes) {
      res.status = 413;
      message = absl::StrCat("the body is larger than ", options_.max_body_bytes, " bytes");
    } else {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    CountRefusal("too_large");
    res.set_header("Connection", "close");
    res.set_content(absl::StrCat("{\"code\":\"INVALID_ARGUMENT\",\"message\":\"", message,
                                 "\",\"violations\":[]}"),
                    "application/json");
    if (t_exchange != nullptr) t_exchange->close = true;
    return httplib::Server::HandlerResponse::Handled;
  });
}

HttpServer::~HttpServer() { Stop(); }

httplib::Server& HttpServer::http() { return *http_; }

absl::Status HttpServer::Start() {
  absl::MutexLock lock(&mu_);
  if (started_) return absl::FailedPreconditionError("dashboard HTTP server already started");
  const std::string address = absl::StrCat(options_.host, ":", options_.port);
  int bound = options_.port;
  if (options_.port == 0) {
    bound = http_->bind_to_any_port(options_.host);
  } else if (!http_->bind_to_port(options_.host, options_.port)) {
    bound = -1;
  }
  if (bound <= 0) {
    return absl::UnavailableError(absl::StrCat("dashboard HTTP server cannot listen on ", address,
                                               " (address in use or not available)"));
  }
  http_->Relisten(std::max(16, options_.backlog));
  port_.store(bound);
  if (absl::Status s = loop_->Start(); !s.ok()) return s;
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  started_ = true;
  // httplib 0.11 has no wait_until_ready(), and stop() is a no-op until the
  // accept loop runs: wait for it so that an early Stop() cannot hang.
  // Its workers exist once the queue does.
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  auto up = [this] {
    absl::MutexLock lock(&queue_mu_);
    return http_->is_running() && queue_ != nullptr;
  };
  while (!up() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(1));
  if (!up()) {
    return absl::InternalError(absl::StrCat("dashboard HTTP server on ", address, " did not start"));
  }
  return absl::OkStatus();
}

void HttpServer::Stop() {
  absl::MutexLock lock(&mu_);
  if (!started_) return;
  http_->stop();
  if (thread_.joinable()) thread_.join();  // the acceptor joins the workers
  loop_->Stop();
  started_ = false;
}

bool HttpServer::TakeOver(std::function<void(int fd)> adopt) {
  if (t_exchange == nullptr || t_exchange->adopt != nullptr || adopt == nullptr) return false;
  t_exchange->adopt = std::move(adopt);
  t_exchange->stream->Swallow();
  return true;
}

void HttpServer::Adopt(int fd, StreamStart start, std::shared_ptr<ServerStream> stream) {
  SetNonBlocking(fd);
  loop_->Adopt(fd, std::move(start), std::move(stream));
}

void HttpServer::Wake() { loop_->Wake(); }

void HttpServer::Serve(int fd, int remaining) {
  if (!ReadableNow(fd)) {
    // Nothing to read yet (a new connection, or an idle keep-alive one):
    // wait in the event loop, not on a worker.
    loop_->Park(fd, remaining);
    return;
  }
  ConnStream strm(fd, options_);
  while (true) {
    if (http_->stopping()) break;
    strm.BeginRequest();
    Exchange exchange;
    exchange.stream = &strm;
    t_exchange = &exchange;
    bool connection_closed = false;
    const bool ok = http_->Process(strm, remaining <= 1, connection_closed);
    t_exchange = nullptr;
    if (exchange.adopt != nullptr) {
      exchange.adopt(fd);
      return;
    }
    if (exchange.close) {
      loop_->Refuse(fd, "");  // closes once the client has sent all
      return;
    }
    if (strm.too_large()) {
      // Answered by the event loop, which reads what the client still sends
      // before closing (closing with unread bytes would reset the
      // connection and lose the answer).
      CountRefusal("too_large");
      loop_->Refuse(fd, Refusal(431, "the request line and headers are too large", false));
      return;
    }
    if (strm.read_failed()) {
      // Cut short (timeout, or the client went): nothing more to serve.
      loop_->Refuse(fd, "");
      return;
    }
    if (!ok || connection_closed || remaining <= 1) break;
    --remaining;
    if (strm.buffered() > 0 || ReadableNow(fd)) continue;
    loop_->Park(fd, remaining);
    return;
  }
  CloseSocket(fd);
}

bool HttpServer::Resume(int fd, int remaining) {
  std::function<void()> job = [this, fd, remaining] { Serve(fd, remaining); };
  absl::MutexLock lock(&queue_mu_);
  return queue_ != nullptr && queue_->TryEnqueue(job);
}

std::string HttpServer::Refusal(int status, absl::string_view reason, bool retry) const {
  const char* text = status == 503   ? "Service Unavailable"
                     : status == 431 ? "Request Header Fields Too Large"
                                     : "Error";
  const char* code = status == 503 ? "UNAVAILABLE" : "INVALID_ARGUMENT";
  const std::string body =
      absl::StrCat("{\"code\":\"", code, "\",\"message\":\"", reason, "\",\"violations\":[]}");
  std::string out = absl::StrCat("HTTP/1.1 ", status, " ", text,
                                 "\r\nContent-Type: application/json\r\nContent-Length: ",
                                 body.size(), "\r\nConnection: close\r\n");
  if (retry) {
    absl::StrAppend(&out, "Retry-After: ",
                    std::max<int64_t>(1, absl::ToInt64Seconds(options_.retry_after)), "\r\n");
  }
  for (const auto& [name, value] : options_.headers) absl::StrAppend(&out, name, ": ", value, "\r\n");
  absl::StrAppend(&out, "\r\n", body);
  return out;
}

void HttpServer::CountRefusal(const char* reason) { refused_->Add({{"reason", reason}}).Increment(); }

void HttpServer::CountDrop(const char* reason) { dropped_->Add({{"reason", reason}}).Increment(); }

}  // namespace jit::aggregator::api
