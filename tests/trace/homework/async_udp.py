# Lab 15: asyncio datagram endpoints: a server protocol and a client protocol.
import asyncio


class Echo(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.transport.sendto(data[::-1], addr)


class Client(asyncio.DatagramProtocol):
    def __init__(self, done):
        self.done = done

    def connection_made(self, transport):
        transport.sendto(b'olleh')

    def datagram_received(self, data, addr):
        print('client got', data)
        self.done.set_result(True)


async def main():
    loop = asyncio.get_running_loop()
    server, _ = await loop.create_datagram_endpoint(Echo, local_addr=('127.0.0.1', 50125))
    done = loop.create_future()
    client, _ = await loop.create_datagram_endpoint(lambda: Client(done),
                                                    remote_addr=('127.0.0.1', 50125))
    await done
    client.close()
    server.close()


asyncio.run(main())
