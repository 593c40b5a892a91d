export const putItemHandler = async (event) => ({ statusCode: 200, body: JSON.stringify({ handler: 'putItemHandler' }) });
