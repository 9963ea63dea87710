# Homework 5: two asyncio clients (open_connection) talk to the echo server at once.
import asyncio

PORT = 50101


async def talk(name):
    reader, writer = await asyncio.open_connection('127.0.0.1', PORT)
    writer.write(f'hello from {name}\n'.encode())
    await writer.drain()
    answer = await reader.readline()
    print(name, 'got', answer.decode().strip())
    writer.close()
    await writer.wait_closed()


async def main():
    await asyncio.gather(talk('alice'), talk('bob'))


asyncio.run(main())
