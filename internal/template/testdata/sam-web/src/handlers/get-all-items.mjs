export const getAllItemsHandler = async (event) => ({ statusCode: 200, body: JSON.stringify({ handler: 'getAllItemsHandler' }) });
