// Live pushes from the server (Channels websockets): one socket per path, JSON messages, and a
// reconnect with backoff whenever the socket closes (a server restart, a network change), so a page
// left open keeps listening. Messages that are not JSON are not ours and are dropped.

const BACKOFF_MS = [1000, 2000, 5000, 10000];

export function listen(path, onMessage, { onOpen = () => {}, onClose = () => {} } = {}) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  let failures = 0;
  function connect() {
    const socket = new WebSocket(`${scheme}://${window.location.host}${path}`);
    socket.addEventListener("open", () => {
      failures = 0;
      onOpen();
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      onMessage(message);
    });
    socket.addEventListener("close", () => {
      onClose();
      setTimeout(connect, BACKOFF_MS[Math.min(failures++, BACKOFF_MS.length - 1)]);
    });
  }
  connect();
}
