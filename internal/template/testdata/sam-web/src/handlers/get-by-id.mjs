export const getByIdHandler = async (event) => ({ statusCode: 200, body: JSON.stringify({ handler: 'getByIdHandler' }) });
