# Homework 5: an asyncio echo server (asyncio.start_server), two clients, then stops.
import asyncio

PORT = 50101
done = 0


async def handle(reader, writer):
    global done
    peer = writer.get_extra_info('peername')
    line = await reader.readline()
    print('from', peer, line.decode().strip())
    writer.write(line.upper())
    await writer.drain()
    writer.close()
    await writer.wait_closed()
    done += 1


async def main():
    server = await asyncio.start_server(handle, '127.0.0.1', PORT)
    async with server:
        while done < 2:
            await asyncio.sleep(0.05)
    print('served', done)


asyncio.run(main())
