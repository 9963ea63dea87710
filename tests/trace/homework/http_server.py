# Lab 7: http.server on loopback, serves two requests then stops.
import http.server


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ('你好, ' + self.path).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'text/plain; charset=utf-8')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = http.server.HTTPServer(('127.0.0.1', 50112), Hello)
server.handle_request()
server.handle_request()
server.server_close()
